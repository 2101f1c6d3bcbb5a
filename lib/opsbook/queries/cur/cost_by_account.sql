-- name: cost_by_account
-- doc: Unblended and amortized cost per billing period and linked account, largest first within each period.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name
ORDER BY billing_period, unblended_cost DESC, account_id
