-- name: cost_by_app
-- doc: Unblended cost per billing period and `app` resource tag (NULL when untagged), largest first.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    billing_period,
    element_at(resource_tags, 'user_app') AS app,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
GROUP BY billing_period, element_at(resource_tags, 'user_app')
ORDER BY billing_period, unblended_cost DESC, app
