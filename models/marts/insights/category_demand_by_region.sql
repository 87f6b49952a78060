-- One row per region and product category: buying customers and spend, the category's share
-- of the region's spend and how much more (or less) the region favours it than the whole
-- customer base (lift). Answers source documents 001 ("regional demand for products") and
-- 003 ("popular categories by location"). Built from the customer × category block, so it
-- also answers for data that states spend per category; empty for data without categories.
-- The group × category block is shared with category_demand_by_segment
-- (macros/demand_by_group.sql).
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customers as (
    select * from {{ ref('customers') }}
),

per_cell as (
    {{ category_spend_by_group('category_spend', 'customers', 'region') }}
),

shares as (
    {{ spend_shares_by_group('per_cell', 'region') }}
),

final as (
    select
        region,
        product_category,
        spend_rank_in_group as spend_rank_in_region,
        customer_count,
        spend,
        spend_share_in_group as spend_share_in_region,
        spend_share_overall,
        lift
    from shares
)

select * from final
