-- name: amortized_cost_summary
-- doc: Invoiced (unblended) vs amortized and net amortized cost per billing period, with the true-up and upfront fees that reconcile them.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
SELECT
    billing_period,
    sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost,
    sum({{net_amortized_cost}}) AS net_amortized_cost,
    sum({{true_up}}) AS true_up,
    sum({{upfront_fees}}) AS upfront_fees,
    sum({{public_cost}}) AS public_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
GROUP BY billing_period
ORDER BY billing_period
