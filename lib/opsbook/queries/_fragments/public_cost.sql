-- doc: Public on-demand cost of one line item, Savings Plan negations left out.
CASE WHEN line_item_line_item_type = 'SavingsPlanNegation' THEN 0
    ELSE coalesce(pricing_public_on_demand_cost, 0) END
