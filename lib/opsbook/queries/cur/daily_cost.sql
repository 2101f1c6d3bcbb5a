-- name: daily_cost
-- doc: Unblended cost per usage day and service in a range of billing periods.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    date_trunc('day', line_item_usage_start_date) AS usage_day,
    line_item_product_code AS service,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
GROUP BY date_trunc('day', line_item_usage_start_date), line_item_product_code
ORDER BY usage_day, service
