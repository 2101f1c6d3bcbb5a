-- name: anomaly_resources_daily
-- doc: Daily amortized cost of usage line items of one linked account and service, per usage type and resource id (empty when the CUR has no resource ids): the drill-down of a cost anomaly.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: account_id string  the linked account of the anomaly
-- param: service string  the product code of the anomaly, e.g. AmazonEC2
-- param: start_date date  first usage day to include
-- param: end_date date  first usage day not to include
SELECT
    date(line_item_usage_start_date) AS usage_day,
    line_item_usage_type AS usage_type,
    line_item_resource_id AS resource_id,
    sum({{amortized_cost}}) AS amortized_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND line_item_usage_account_id = :account_id
    AND line_item_product_code = :service
    AND line_item_usage_start_date >= CAST(:start_date AS timestamp)
    AND line_item_usage_start_date < CAST(:end_date AS timestamp)
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
GROUP BY date(line_item_usage_start_date), line_item_usage_type, line_item_resource_id
ORDER BY usage_day, usage_type, resource_id
