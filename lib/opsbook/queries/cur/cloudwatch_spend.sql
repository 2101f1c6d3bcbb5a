-- name: cloudwatch_spend
-- doc: Amazon CloudWatch's own spend (logs ingestion and storage, Logs Insights scans, metrics, GetMetricData, dashboards, alarms) per billing period, account and usage type.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_type AS usage_type,
    line_item_operation AS operation,
    pricing_unit AS usage_unit,
    sum(line_item_usage_amount) AS usage_amount,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_product_code = 'AmazonCloudWatch'
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_type, line_item_operation,
    pricing_unit
ORDER BY billing_period, unblended_cost DESC
