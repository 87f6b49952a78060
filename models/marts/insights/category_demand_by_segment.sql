-- One row per customer segment and product category: what each segment buys and how far it
-- leans towards each category compared with all customers (source documents 002, "product
-- categories ... within each segment", 003, "most popular product categories among
-- different customer segments", and 004, "wines and meat drive the most spending among top
-- customers"). Every segment has a row for every category (zero when it bought none). The
-- group × category block is shared with category_demand_by_region (macros/demand_by_group.sql).
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

-- Each segment's name and size as profiled (the customers of customer_segments).
segments as (
    select
        segment_id,
        segment_name,
        customer_count as segment_customer_count
    from segment_profiles
),

categories as (
    select distinct product_category from category_spend
),

per_cell as (
    {{ category_spend_by_group('category_spend', 'customer_segments', 'segment_id') }}
),

grid as (
    {{ every_group_and_category('segments', 'segment_id', 'categories', 'per_cell') }}
),

shares as (
    {{ spend_shares_by_group('grid', 'segment_id') }}
),

final as (
    select
        segment_id,
        product_category,
        segment_name,
        spend_rank_in_group as spend_rank_in_segment,
        segment_customer_count,
        customer_count,
        round({{ safe_divide('customer_count', 'segment_customer_count') }}, 6) as penetration,
        quantity,
        spend,
        spend_share_in_group as share_of_segment_spend,
        spend_share_overall as share_of_all_spend,
        -- Lift: the segment's share of spend in the category over all customers' share
        -- (1 = like everyone, 1.5 = half as much again).
        lift as spend_share_index
    from shares
)

select * from final
