-- name: commitments
-- doc: Per billing period and commitment (Savings Plan or Reserved Instance ARN): what it cost, what went unused, the on-demand value of the usage it covered and its end date.
-- param: start_period month  first billing period to include, as YYYY-MM
-- param: end_period month  last billing period to include, as YYYY-MM
-- param: accounts string  comma-separated linked account ids to include; empty for all
SELECT
    billing_period,
    CASE WHEN coalesce(savings_plan_savings_plan_a_r_n, '') <> '' THEN 'SavingsPlan' ELSE 'Reserved' END
        AS commitment_type,
    coalesce(nullif(savings_plan_savings_plan_a_r_n, ''), reservation_reservation_a_r_n) AS commitment_arn,
    max(coalesce(nullif(savings_plan_end_time, ''), reservation_end_time)) AS end_time,
    sum(CASE line_item_line_item_type
        WHEN 'SavingsPlanRecurringFee' THEN coalesce(savings_plan_total_commitment_to_date, 0)
        WHEN 'RIFee' THEN line_item_unblended_cost
            + coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
        ELSE 0 END) AS commitment_cost,
    sum(CASE line_item_line_item_type
        WHEN 'SavingsPlanRecurringFee' THEN coalesce(savings_plan_total_commitment_to_date, 0)
            - coalesce(savings_plan_used_commitment, 0)
        WHEN 'RIFee' THEN coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
            + coalesce(reservation_unused_recurring_fee, 0)
        ELSE 0 END) AS unused_cost,
    sum(CASE WHEN line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage')
        THEN {{amortized_cost}} ELSE 0 END) AS covered_effective_cost,
    sum(CASE WHEN line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage')
        THEN coalesce(pricing_public_on_demand_cost, 0) ELSE 0 END) AS covered_on_demand_cost
FROM cur
WHERE billing_period BETWEEN :start_period AND :end_period
    AND {{account_filter}}
    AND (coalesce(savings_plan_savings_plan_a_r_n, '') <> ''
        OR coalesce(reservation_reservation_a_r_n, '') <> '')
    AND line_item_line_item_type IN ('SavingsPlanRecurringFee', 'RIFee', 'DiscountedUsage',
        'SavingsPlanCoveredUsage')
GROUP BY billing_period,
    CASE WHEN coalesce(savings_plan_savings_plan_a_r_n, '') <> '' THEN 'SavingsPlan' ELSE 'Reserved' END,
    coalesce(nullif(savings_plan_savings_plan_a_r_n, ''), reservation_reservation_a_r_n)
ORDER BY billing_period, commitment_type, commitment_arn
