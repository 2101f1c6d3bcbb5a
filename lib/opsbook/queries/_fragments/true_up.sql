-- doc: Reconciliation: minus the amortized upfront part billed on RIFee and Savings Plan recurring-fee rows.
CASE line_item_line_item_type
    WHEN 'RIFee' THEN -coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
    WHEN 'SavingsPlanRecurringFee'
        THEN -coalesce(savings_plan_amortized_upfront_commitment_for_billing_period, 0)
    ELSE 0
END
