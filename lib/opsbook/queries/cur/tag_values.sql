-- name: tag_values
-- doc: Per billing period, account, resource and service: each resource tag key and value the resource's usage line items carry, with their cost (usage line items with a resource id: the spend that can be tagged).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    line_item_resource_id AS resource_id,
    line_item_product_code AS service,
    t.tag_key,
    element_at(resource_tags, t.tag_key) AS tag_value,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost
FROM cur
CROSS JOIN UNNEST(map_keys(resource_tags)) AS t(tag_key)
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_resource_id <> ''
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
    line_item_resource_id, line_item_product_code, t.tag_key, element_at(resource_tags, t.tag_key)
ORDER BY billing_period, resource_id, t.tag_key
