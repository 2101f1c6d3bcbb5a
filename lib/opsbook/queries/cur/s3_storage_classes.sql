-- name: s3_storage_classes
-- doc: Amazon S3 storage cost and GB-months per billing period, account and storage class (product storage_class, usage type TimedStorage-*).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    coalesce(nullif(element_at(product, 'storage_class'), ''), line_item_usage_type) AS storage_class,
    line_item_usage_type AS usage_type,
    sum(line_item_usage_amount) AS gb_months,
    {{cost_columns}}
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_product_code = 'AmazonS3'
    AND line_item_usage_type LIKE '%TimedStorage%'
    AND line_item_line_item_type = 'Usage'
GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
    coalesce(nullif(element_at(product, 'storage_class'), ''), line_item_usage_type), line_item_usage_type
ORDER BY billing_period, unblended_cost DESC
