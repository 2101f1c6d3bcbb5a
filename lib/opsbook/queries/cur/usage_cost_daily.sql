-- name: usage_cost_daily
-- doc: Daily amortized cost of usage line items (Usage, DiscountedUsage, SavingsPlanCoveredUsage) per account, service, region and usage type: the input of anomaly detection, without fees, taxes, credits and discounts posted once a month.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
-- param: start_date date  first usage day to include
-- param: end_date date  first usage day not to include
SELECT
    date(line_item_usage_start_date) AS usage_day,
    line_item_usage_account_id AS account_id,
    line_item_usage_account_name AS account_name,
    line_item_product_code AS service,
    coalesce(nullif(product_region_code, ''), 'global') AS region,
    line_item_usage_type AS usage_type,
    sum({{amortized_cost}}) AS amortized_cost,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_usage_start_date >= CAST(:start_date AS timestamp)
    AND line_item_usage_start_date < CAST(:end_date AS timestamp)
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
GROUP BY date(line_item_usage_start_date), line_item_usage_account_id, line_item_usage_account_name,
    line_item_product_code, coalesce(nullif(product_region_code, ''), 'global'), line_item_usage_type
ORDER BY usage_day, account_id, service, region, usage_type
