-- name: billing_periods
-- doc: Line items, accounts, services and unblended cost per billing period of the CUR.
-- scan: all periods
SELECT
    billing_period,
    count(*) AS line_items,
    count(DISTINCT line_item_usage_account_id) AS accounts,
    count(DISTINCT line_item_product_code) AS services,
    min(line_item_usage_start_date) AS first_usage,
    max(line_item_usage_end_date) AS last_usage,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
GROUP BY billing_period
ORDER BY billing_period
