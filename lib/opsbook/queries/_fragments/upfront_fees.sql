-- doc: Reconciliation: upfront commitment purchases (RI Fee rows with a reservation ARN, Savings Plan upfront fees).
CASE
    WHEN line_item_line_item_type = 'SavingsPlanUpfrontFee' THEN line_item_unblended_cost
    WHEN line_item_line_item_type = 'Fee' AND coalesce(reservation_reservation_a_r_n, '') <> ''
        THEN line_item_unblended_cost
    ELSE 0
END
