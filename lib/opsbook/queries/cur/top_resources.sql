-- name: top_resources
-- doc: The 100 resources with the highest unblended cost in a range of billing periods (needs INCLUDE_RESOURCES).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    line_item_resource_id AS resource_id,
    line_item_product_code AS service,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND line_item_resource_id <> ''
GROUP BY line_item_resource_id, line_item_product_code
ORDER BY unblended_cost DESC, resource_id
LIMIT 100
