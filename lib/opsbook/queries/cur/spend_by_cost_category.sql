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
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost,
    sum({{net_amortized_cost}}) AS net_amortized_cost,
    sum({{public_cost}}) AS public_cost
FROM cur
CROSS JOIN UNNEST(map_keys(cost_category)) AS c(category)
WHERE billing_period BETWEEN :start_period AND :end_period
    AND (:accounts = '' OR strpos(:accounts, line_item_usage_account_id) > 0)
    AND c.category = :category
GROUP BY billing_period, date(line_item_usage_start_date), c.category, element_at(cost_category, c.category)
ORDER BY usage_day, unblended_cost DESC
