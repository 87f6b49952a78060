-- One row per customer segment and product its customers bought: what each segment's
-- best-selling products are and how far it leans towards each compared with all customers
-- (SPEC, "most popular categories and products, overall and per segment"; source documents
-- 001, "the most popular ... individual products", and 003, "most popular product categories
-- among different customer segments"). Only the products a segment bought have a row (a
-- catalogue holds thousands). Built from every accepted order line with a product_id, dated
-- or not, as product_demand is: empty for data without product ids.
with

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
        and product_id is not null
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

per_cell as (
    select
        customer_segments.segment_id,
        order_lines.product_category,
        order_lines.product_id,
        count(*) as order_line_count,
        count(distinct order_lines.customer_id) as customer_count,
        {{ integer_sum('order_lines.quantity') }} as quantity,
        {{ money_sum('order_lines.amount') }} as spend
    from order_lines
    inner join customer_segments
        on order_lines.customer_id = customer_segments.customer_id
    group by
        customer_segments.segment_id,
        order_lines.product_category,
        order_lines.product_id
),

shares as (
    select
        per_cell.*,
        segments.segment_name,
        segments.segment_customer_count,
        {{ share_of_total('per_cell.spend', partition_by='per_cell.segment_id') }}
            as share_of_segment_spend,
        {{ group_share_of_total(
            'per_cell.spend', group_by='per_cell.product_category, per_cell.product_id'
        ) }} as share_of_all_spend
    from per_cell
    inner join segments
        on per_cell.segment_id = segments.segment_id
),

final as (
    select
        segment_id,
        product_category,
        product_id,
        segment_name,
        cast(row_number() over (
            partition by segment_id order by spend desc, product_category, product_id
        ) as integer) as spend_rank_in_segment,
        segment_customer_count,
        order_line_count,
        customer_count,
        round({{ safe_divide('customer_count', 'segment_customer_count') }}, 6) as penetration,
        quantity,
        spend,
        round(share_of_segment_spend, 6) as share_of_segment_spend,
        round(share_of_all_spend, 6) as share_of_all_spend,
        -- Lift: the segment's share of its spend on the product over all customers' share
        -- (1 = like everyone, 1.5 = half as much again).
        round({{ safe_divide('share_of_segment_spend', 'share_of_all_spend') }}, 4)
            as spend_share_index
    from shares
)

select * from final
