-- One row per customer segment and product category: what each segment buys and how far it
-- leans towards each category compared with all customers (source documents 002, "product
-- categories ... within each segment", 003, "most popular product categories among
-- different customer segments", and 004, "wines and meat drive the most spending among top
-- customers"). Every segment has a row for every category (zero when it bought none).
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segments as (
    select
        segment_id,
        min(segment_name) as segment_name,
        count(*) as segment_customer_count
    from customer_segments
    group by segment_id
),

categories as (
    select distinct product_category from category_spend
),

per_cell as (
    select
        customer_segments.segment_id,
        category_spend.product_category,
        count(*) filter (where {{ bought_category('category_spend') }}) as customer_count,
        {{ integer_sum('category_spend.quantity') }} as quantity,
        {{ money_sum('category_spend.spend') }} as spend
    from category_spend
    inner join customer_segments
        on category_spend.customer_id = customer_segments.customer_id
    group by customer_segments.segment_id, category_spend.product_category
),

grid as (
    select
        segments.segment_id,
        segments.segment_name,
        segments.segment_customer_count,
        categories.product_category,
        coalesce(per_cell.customer_count, 0) as customer_count,
        coalesce(per_cell.quantity, 0) as quantity,
        coalesce(per_cell.spend, 0) as spend
    from segments
    cross join categories
    left join per_cell
        on segments.segment_id = per_cell.segment_id
        and categories.product_category = per_cell.product_category
),

shares as (
    select
        *,
        {{ share_of_total('spend', partition_by='segment_id') }} as share_of_segment_spend,
        {{ group_share_of_total('spend', group_by='product_category') }} as share_of_all_spend
    from grid
),

final as (
    select
        segment_id,
        product_category,
        segment_name,
        cast(row_number() over (
            partition by segment_id order by spend desc, product_category
        ) as integer) as spend_rank_in_segment,
        segment_customer_count,
        customer_count,
        round({{ safe_divide('customer_count', 'segment_customer_count') }}, 6) as penetration,
        quantity,
        spend,
        round(share_of_segment_spend, 6) as share_of_segment_spend,
        round(share_of_all_spend, 6) as share_of_all_spend,
        -- Lift: the segment's share of spend in the category over all customers' share
        -- (1 = like everyone, 1.5 = half as much again).
        round({{ safe_divide('share_of_segment_spend', 'share_of_all_spend') }}, 4)
            as spend_share_index
    from shares
)

select * from final
