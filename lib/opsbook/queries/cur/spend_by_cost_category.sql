-- name: spend_by_cost_category
-- doc: Daily cost per value of one cost category (e.g. BusinessUnit), categorised line items only.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
-- param: category string  cost category name, e.g. BusinessUnit
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    c.category,
    element_at(cost_category, c.category) AS category_value,
    {{cost_columns}}
FROM cur
CROSS JOIN UNNEST(map_keys(cost_category)) AS c(category)
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND c.category = :category
GROUP BY billing_period, date(line_item_usage_start_date), c.category, element_at(cost_category, c.category)
ORDER BY usage_day, unblended_cost DESC
