-- name: spend_by_account
-- doc: Daily unblended, amortized, net amortized and public on-demand cost per linked account (with its name).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost,
    sum({{net_amortized_cost}}) AS net_amortized_cost,
    sum({{public_cost}}) AS public_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND (:accounts = '' OR strpos(:accounts, line_item_usage_account_id) > 0)
GROUP BY billing_period, date(line_item_usage_start_date), line_item_usage_account_id, line_item_usage_account_name
ORDER BY usage_day, unblended_cost DESC
