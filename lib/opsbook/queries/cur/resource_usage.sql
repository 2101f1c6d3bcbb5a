-- name: resource_usage
-- doc: For the last billing period, per account, region, resource and usage type: usage amount, unblended, amortized and public on-demand cost, and the first day the resource was billed in any period read; usage line items with a resource id (needs INCLUDE_RESOURCES), for the savings checks.
-- param: start_period month  first billing period read for when each resource was first billed, as YYYY-MM
-- param: end_period month  the billing period whose usage is returned, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT *
FROM (
    SELECT
        billing_period,
        line_item_usage_account_id AS account_id,
        line_item_usage_account_name AS account_name,
        product_region_code AS region,
        line_item_resource_id AS resource_id,
        line_item_product_code AS service,
        line_item_usage_type AS usage_type,
        sum(line_item_usage_amount) AS usage_amount,
        sum(line_item_unblended_cost) AS unblended_cost,
        sum({{amortized_cost}}) AS amortized_cost,
        sum({{public_cost}}) AS public_cost,
        min(min(line_item_usage_start_date)) OVER (PARTITION BY line_item_resource_id) AS first_usage,
        count(*) AS line_items
    FROM cur
    WHERE billing_period BETWEEN :start_period AND :end_period
        AND {{account_filter}}
        AND line_item_resource_id <> ''
        AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
    GROUP BY billing_period, line_item_usage_account_id, line_item_usage_account_name,
        product_region_code, line_item_resource_id, line_item_product_code, line_item_usage_type
) AS usage
WHERE billing_period = :end_period
ORDER BY resource_id, usage_type
