-- name: commitment_coverage
-- doc: Per billing period, service and purchase option (SavingsPlan, Reserved, Spot, OnDemand): public on-demand and amortized cost of commitment-eligible usage (EC2 and RDS instance hours, Fargate, Lambda compute).
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_product_code AS service,
    CASE
        WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage' THEN 'SavingsPlan'
        WHEN line_item_line_item_type = 'DiscountedUsage' THEN 'Reserved'
        WHEN line_item_usage_type LIKE '%Spot%' THEN 'Spot'
        ELSE 'OnDemand'
    END AS purchase_option,
    sum(coalesce(pricing_public_on_demand_cost, 0)) AS on_demand_equivalent_cost,
    sum({{amortized_cost}}) AS amortized_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
    AND (line_item_usage_type LIKE '%BoxUsage%' OR line_item_usage_type LIKE '%SpotUsage%'
        OR line_item_usage_type LIKE '%InstanceUsage%' OR line_item_usage_type LIKE '%Fargate%'
        OR line_item_usage_type LIKE '%Lambda-GB-Second%')
GROUP BY billing_period, line_item_product_code,
    CASE
        WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage' THEN 'SavingsPlan'
        WHEN line_item_line_item_type = 'DiscountedUsage' THEN 'Reserved'
        WHEN line_item_usage_type LIKE '%Spot%' THEN 'Spot'
        ELSE 'OnDemand'
    END
ORDER BY billing_period, service, purchase_option
