-- name: data_transfer
-- doc: Data transfer and network processing cost and GB per billing period, account and type (inter-AZ, inter-region, internet out, CloudFront out, NAT gateway, Transit Gateway, VPC endpoint), from usage types.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    {{transfer_type}} AS transfer_type,
    sum(line_item_usage_amount) AS gb,
    {{cost_columns}}
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_line_item_type = 'Usage'
    AND line_item_usage_type LIKE '%Bytes'
    AND line_item_usage_type NOT LIKE '%DataProcessing-Bytes'
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
    {{transfer_type}}
ORDER BY billing_period, unblended_cost DESC
