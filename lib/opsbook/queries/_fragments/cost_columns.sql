-- doc: The four cost bases of a group of line items, as SELECT columns (unblended, amortized, net amortized, public on-demand).
-- kind: columns
sum(line_item_unblended_cost) AS unblended_cost,
    sum({{amortized_cost}}) AS amortized_cost,
    sum({{net_amortized_cost}}) AS net_amortized_cost,
    sum({{public_cost}}) AS public_cost
