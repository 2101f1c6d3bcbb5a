-- doc: Net amortized cost of one line item: the amortized rules on the net (after discounts) columns, gross where a net one is NULL.
CASE line_item_line_item_type
    WHEN 'DiscountedUsage' THEN coalesce(reservation_net_effective_cost, reservation_effective_cost, 0)
    WHEN 'RIFee' THEN coalesce(reservation_net_unused_amortized_upfront_fee_for_billing_period,
            reservation_unused_amortized_upfront_fee_for_billing_period, 0)
        + coalesce(reservation_net_unused_recurring_fee, reservation_unused_recurring_fee, 0)
    WHEN 'SavingsPlanCoveredUsage' THEN coalesce(savings_plan_net_savings_plan_effective_cost,
        savings_plan_savings_plan_effective_cost, 0)
    WHEN 'SavingsPlanRecurringFee' THEN coalesce(savings_plan_total_commitment_to_date, 0)
        - coalesce(savings_plan_used_commitment, 0)
    WHEN 'SavingsPlanNegation' THEN 0
    WHEN 'SavingsPlanUpfrontFee' THEN 0
    WHEN 'Fee' THEN CASE WHEN coalesce(reservation_reservation_a_r_n, '') <> '' THEN 0
        ELSE coalesce(line_item_net_unblended_cost, line_item_unblended_cost) END
    ELSE coalesce(line_item_net_unblended_cost, line_item_unblended_cost)
END
