-- doc: Amortized cost of one CUR line item (reference §2.4): commitments spread over the usage they cover.
CASE line_item_line_item_type
    WHEN 'DiscountedUsage' THEN coalesce(reservation_effective_cost, 0)
    WHEN 'RIFee' THEN coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
        + coalesce(reservation_unused_recurring_fee, 0)
    WHEN 'SavingsPlanCoveredUsage' THEN coalesce(savings_plan_savings_plan_effective_cost, 0)
    WHEN 'SavingsPlanRecurringFee' THEN coalesce(savings_plan_total_commitment_to_date, 0)
        - coalesce(savings_plan_used_commitment, 0)
    WHEN 'SavingsPlanNegation' THEN 0
    WHEN 'SavingsPlanUpfrontFee' THEN 0
    WHEN 'Fee' THEN CASE WHEN coalesce(reservation_reservation_a_r_n, '') <> '' THEN 0
        ELSE line_item_unblended_cost END
    ELSE line_item_unblended_cost
END
