-- name: cost_by_service
-- doc: Unblended cost per billing period and service, largest first within each period.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    billing_period,
    line_item_product_code AS service,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
GROUP BY billing_period, line_item_product_code
ORDER BY billing_period, unblended_cost DESC
