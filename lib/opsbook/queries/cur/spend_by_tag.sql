-- name: spend_by_tag
-- doc: Daily cost per value of one resource tag (CUR key, e.g. user_app), tagged line items only; untagged cost is the total minus these.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
-- param: tag_key string  resource tag key as the CUR names it, e.g. user_app
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    t.tag_key,
    element_at(resource_tags, t.tag_key) AS tag_value,
    {{cost_columns}}
FROM cur
CROSS JOIN UNNEST(map_keys(resource_tags)) AS t(tag_key)
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND t.tag_key = :tag_key
GROUP BY billing_period, date(line_item_usage_start_date), t.tag_key, element_at(resource_tags, t.tag_key)
ORDER BY usage_day, unblended_cost DESC
