-- One row per customer segment and product its customers bought: what each segment's
-- best-selling products are and how far it leans towards each compared with all customers
-- (SPEC, "most popular categories and products, overall and per segment"; source documents
-- 001, "the most popular ... individual products", and 003, "most popular product categories
-- among different customer segments"). Only the products a segment bought have a row (a
-- catalogue holds thousands). Built from every accepted order line with a product_id, dated
-- or not, as product_demand is: empty for data without product ids. The share and lift
-- block is shared with the category marts (macros/demand_by_group.sql).
with

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
        and product_id is not null
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

cells as (
    select
        per_cell.*,
        segments.segment_name,
        segments.segment_customer_count
    from per_cell
    inner join segments
        on per_cell.segment_id = segments.segment_id
),

shares as (
    {{ spend_shares_by_group('cells', 'segment_id', ['product_category', 'product_id']) }}
),

final as (
    select
        segment_id,
        product_category,
        product_id,
        segment_name,
        spend_rank_in_group as spend_rank_in_segment,
        segment_customer_count,
        order_line_count,
        customer_count,
        round({{ safe_divide('customer_count', 'segment_customer_count') }}, 6) as penetration,
        quantity,
        spend,
        spend_share_in_group as share_of_segment_spend,
        spend_share_overall as share_of_all_spend,
        -- Lift: the segment's share of its spend on the product over all customers' share
        -- (1 = like everyone, 1.5 = half as much again).
        lift as spend_share_index
    from shares
)

select * from final
