-- Hypothesis 1 of source document 003: "Higher discounts lead to increased sales volume."
-- Each discount band against full-price orders: units per order and per order line (the
-- line measure is not confounded by basket size), order value and revenue. The formal test
-- with a p-value and effect size belongs to the hypothesis-tests Python model
-- (customer_behavior.statistics); this is the summary an
-- analyst starts from. Observational: who receives a discount is not random.
with

promotion_impact as (
    select * from {{ ref('promotion_impact') }}
),

full_price as (
    select * from promotion_impact
    where discount_band = 'full price'
),

final as (
    select
        promotion_impact.discount_band,
        promotion_impact.order_count,
        promotion_impact.order_share,
        promotion_impact.mean_units_per_order,
        round(promotion_impact.mean_units_per_order / full_price.mean_units_per_order, 3)
            as units_per_order_vs_full_price,
        promotion_impact.mean_units_per_line,
        round(promotion_impact.mean_units_per_line / full_price.mean_units_per_line, 3)
            as units_per_line_vs_full_price,
        promotion_impact.mean_order_value,
        promotion_impact.revenue_share
    from promotion_impact
    cross join full_price
    where promotion_impact.order_count > 0
)

select * from final
order by units_per_line_vs_full_price
