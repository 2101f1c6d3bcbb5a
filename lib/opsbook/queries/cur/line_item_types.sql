-- name: line_item_types
-- doc: Line items and unblended cost per billing period and line item type; reads no commitment (savings_plan_*, reservation_*) column, so it runs on any CUR.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    line_item_line_item_type AS charge_type,
    count(*) AS line_items,
    sum(line_item_unblended_cost) AS unblended_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
GROUP BY billing_period, line_item_line_item_type
ORDER BY billing_period, line_items DESC
