-- Template of the cur/spend_by_<dimension> queries: opsbook.queries._spend_by fills each @slot@
-- from its fixed table of dimensions (CUR columns and expressions only, never a caller's value).
-- name: spend_by_@dimension@
-- doc: Daily unblended, amortized, net amortized and public on-demand cost per @per@.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
@param@
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    @columns@,
    {{cost_columns}}
FROM cur@join@
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}@filter@
GROUP BY billing_period, date(line_item_usage_start_date), @keys@
ORDER BY usage_day, unblended_cost DESC
