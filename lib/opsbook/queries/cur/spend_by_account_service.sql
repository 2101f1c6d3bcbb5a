-- name: spend_by_account_service
-- doc: Daily unblended, amortized, net amortized and public on-demand cost per linked account (with its name) and service; monthly_posting marks line items whose usage period is longer than a day: the charges AWS posts for the whole month, dated the 1st (tax, support and other fees, monthly commitment fees, credits), also while the month is open (then accrued to date).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    line_item_product_code AS service,
    date_diff('hour', line_item_usage_start_date, line_item_usage_end_date) > 24 AS monthly_posting,
    {{cost_columns}}
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
GROUP BY billing_period, date(line_item_usage_start_date), line_item_usage_account_id, line_item_usage_account_name, line_item_product_code, date_diff('hour', line_item_usage_start_date, line_item_usage_end_date) > 24
ORDER BY usage_day, unblended_cost DESC
