-- One row per region and product category: buying customers and spend, the category's share
-- of the region's spend and how much more (or less) the region favours it than the whole
-- customer base (lift). Answers source documents 001 ("regional demand for products") and
-- 003 ("popular categories by location"). Built from the customer × category block, so it
-- also answers for data that states spend per category; empty for data without categories.
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customers as (
    select * from {{ ref('customers') }}
),

per_cell as (
    select
        customers.region,
        category_spend.product_category,
        count(*) filter (where {{ bought_category('category_spend') }}) as customer_count,
        {{ money_sum('category_spend.spend') }} as spend
    from category_spend
    inner join customers
        on category_spend.customer_id = customers.customer_id
    group by customers.region, category_spend.product_category
),

shares as (
    select
        *,
        {{ share_of_total('spend', partition_by='region') }} as share_in_region,
        {{ group_share_of_total('spend', group_by='product_category') }} as share_overall
    from per_cell
),

final as (
    select
        region,
        product_category,
        cast(row_number() over (
            partition by region order by spend desc, product_category
        ) as integer) as spend_rank_in_region,
        customer_count,
        spend,
        round(share_in_region, 6) as spend_share_in_region,
        round(share_overall, 6) as spend_share_overall,
        round({{ safe_divide('share_in_region', 'share_overall') }}, 4) as lift
    from shares
)

select * from final
