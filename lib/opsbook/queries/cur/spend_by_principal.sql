-- name: spend_by_principal
-- doc: Daily unblended, amortized, net amortized and public on-demand cost per IAM principal that used the resources ('(no principal)' for rows without one); needs INCLUDE_IAM_PRINCIPAL_DATA.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    date(line_item_usage_start_date) AS usage_day,
    coalesce(nullif(line_item_iam_principal, ''), '(no principal)') AS principal,
    {{cost_columns}}
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
GROUP BY billing_period, date(line_item_usage_start_date),
    coalesce(nullif(line_item_iam_principal, ''), '(no principal)')
ORDER BY usage_day, unblended_cost DESC
