-- name: container_costs
-- doc: Cost of each ECS task and EKS pod that ran on an EC2 instance, per billing period, from split cost allocation data: its share of the instance (split) and its share of the capacity no task used (unused), amortized, net amortized and public on-demand, with the parent instance; needs INCLUDE_SPLIT_COST_ALLOCATION_DATA.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_usage_account_id AS account_id,
    CASE WHEN line_item_resource_id LIKE 'arn:aws:eks:%' THEN 'EKS' ELSE 'ECS' END AS platform,
    split_part(split_part(line_item_resource_id, ':', 6), '/', 2) AS cluster,
    CASE WHEN line_item_resource_id LIKE 'arn:aws:eks:%'
        THEN split_part(split_part(line_item_resource_id, ':', 6), '/', 3)
        ELSE coalesce(nullif(element_at(resource_tags, 'aws_ecs_service_name'), ''), '(no service tag)')
    END AS workload,
    line_item_resource_id AS task,
    split_line_item_parent_resource_id AS parent_resource_id,
    sum(split_line_item_split_cost) AS split_cost,
    sum(split_line_item_unused_cost) AS unused_cost,
    sum(coalesce(split_line_item_net_split_cost, split_line_item_split_cost)) AS net_split_cost,
    sum(coalesce(split_line_item_net_unused_cost, split_line_item_unused_cost)) AS net_unused_cost,
    sum(split_line_item_public_on_demand_split_cost) AS public_split_cost,
    sum(split_line_item_public_on_demand_unused_cost) AS public_unused_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND coalesce(split_line_item_parent_resource_id, '') <> ''
GROUP BY billing_period, line_item_usage_account_id,
    CASE WHEN line_item_resource_id LIKE 'arn:aws:eks:%' THEN 'EKS' ELSE 'ECS' END,
    split_part(split_part(line_item_resource_id, ':', 6), '/', 2),
    CASE WHEN line_item_resource_id LIKE 'arn:aws:eks:%'
        THEN split_part(split_part(line_item_resource_id, ':', 6), '/', 3)
        ELSE coalesce(nullif(element_at(resource_tags, 'aws_ecs_service_name'), ''), '(no service tag)')
    END,
    line_item_resource_id, split_line_item_parent_resource_id
ORDER BY billing_period, split_cost DESC
