-- name: tag_coverage
-- doc: Per billing period, account and service: the cost of line items carrying each resource tag key (one row per key present), for tag compliance.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    line_item_product_code AS service,
    t.tag_key,
    {{cost_columns}}
FROM cur
CROSS JOIN UNNEST(map_keys(resource_tags)) AS t(tag_key)
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
    line_item_product_code, t.tag_key
ORDER BY billing_period, account_id, service, t.tag_key
