-- One row per spend decile of customers (1 = the top 10 % by total spend) and product
-- category: what the best customers buy compared with everyone (source document 004, "wines
-- and meat drive the most spending among top customers"). The deciles are those of
-- revenue_concentration (macro spend_decile); every decile has a row for every category
-- (zero when it bought none). The group × category block is shared with the region and
-- segment marts (macros/demand_by_group.sql).
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customers as (
    select * from {{ ref('customers') }}
),

customer_deciles as (
    select
        customer_id,
        cast({{ spend_decile() }} as integer) as spend_decile
    from customers
),

deciles as (
    select
        spend_decile,
        count(*) as decile_customer_count
    from customer_deciles
    group by spend_decile
),

categories as (
    select distinct product_category from category_spend
),

per_cell as (
    {{ category_spend_by_group('category_spend', 'customer_deciles', 'spend_decile') }}
),

grid as (
    {{ every_group_and_category('deciles', 'spend_decile', 'categories', 'per_cell') }}
),

shares as (
    {{ spend_shares_by_group('grid', 'spend_decile') }}
),

final as (
    select
        spend_decile,
        product_category,
        spend_rank_in_group as spend_rank_in_decile,
        decile_customer_count,
        customer_count,
        round({{ safe_divide('customer_count', 'decile_customer_count') }}, 6) as penetration,
        quantity,
        spend,
        spend_share_in_group as share_of_decile_spend,
        spend_share_overall as share_of_all_spend,
        -- Lift: the decile's share of spend in the category over all customers' share
        -- (1 = like everyone, 1.5 = half as much again).
        lift as spend_share_index
    from shares
)

select * from final
