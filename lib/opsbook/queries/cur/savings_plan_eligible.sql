-- name: savings_plan_eligible
-- doc: Per billing period, account and usage interval: unblended and public on-demand cost of the on-demand usage a Compute Savings Plan would cover (EC2 instance hours, Fargate, Lambda compute), not yet covered by a commitment, Spot left out; for sizing a Savings Plan from the hourly spend.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    line_item_usage_start_date AS usage_start,
    line_item_usage_end_date AS usage_end,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum(coalesce(pricing_public_on_demand_cost, 0)) AS public_cost,
    count(*) AS line_items
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_line_item_type = 'Usage'
    AND line_item_usage_type NOT LIKE '%Spot%'
    AND (line_item_usage_type LIKE '%BoxUsage%' OR line_item_usage_type LIKE '%Fargate%'
        OR line_item_usage_type LIKE '%Lambda-GB-Second%')
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
    line_item_usage_start_date, line_item_usage_end_date
ORDER BY billing_period, account_id, usage_start
