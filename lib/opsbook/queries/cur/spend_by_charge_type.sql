-- name: spend_by_charge_type
-- doc: Daily unblended, amortized, net amortized and public on-demand cost per line item type (Usage, Tax, Credit, Refund, discounts, commitment fees ...).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    line_item_line_item_type AS charge_type,
    {{cost_columns}}
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
GROUP BY billing_period, date(line_item_usage_start_date), line_item_line_item_type
ORDER BY usage_day, unblended_cost DESC
