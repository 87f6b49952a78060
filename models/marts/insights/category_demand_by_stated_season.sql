-- One row per stated season and product category: purchases, revenue and the category's
-- share of the season, with the season's pull on the category (seasonal_index: the
-- category's share of the season's purchases over its share of all purchases, 1 = no
-- seasonal pull) and the item bought most in the cell (source document 003: "seasonal
-- events and holidays influence product demand"). For data that state the season of each
-- purchase instead of an order date (shopping trends); category_seasonal_demand answers it
-- from dated order lines. Empty for other data.
with

stated_purchases as (
    select * from {{ ref('int_stated_purchases') }}
),

per_cell as (
    select
        season,
        product_category,
        count(*) as purchase_count,
        {{ money_sum('amount') }} as revenue,
        round(avg(amount), 2) as mean_purchase_value
    from stated_purchases
    group by season, product_category
),

per_item as (
    select
        season,
        product_category,
        product_name,
        count(*) as item_purchase_count
    from stated_purchases
    group by season, product_category, product_name
),

top_items as (
    select
        season,
        product_category,
        product_name as top_item,
        item_purchase_count as top_item_purchase_count
    from per_item
    qualify row_number() over (
            partition by season, product_category
            order by item_purchase_count desc, product_name
        ) = 1
),

-- each cell with its season's, its category's and all purchases
cell_totals as (
    select
        *,
        sum(purchase_count) over (partition by season) as season_purchase_count,
        sum(purchase_count) over (partition by product_category) as category_purchase_count,
        sum(purchase_count) over () as all_purchase_count
    from per_cell
),

final as (
    select
        per_cell.season,
        cast(case per_cell.season
            when 'winter' then 1 when 'spring' then 2 when 'summer' then 3
            when 'autumn' then 4 else 5
        end as integer) as season_order,
        per_cell.product_category,
        per_cell.purchase_count,
        per_cell.revenue,
        per_cell.mean_purchase_value,
        round(per_cell.purchase_count / per_cell.season_purchase_count, 6)
            as share_of_season_purchases,
        round(
            {{ share_of_total('per_cell.revenue', partition_by='per_cell.season') }}, 6
        ) as share_of_season_revenue,
        round(
            (per_cell.purchase_count / per_cell.season_purchase_count)
            / (per_cell.category_purchase_count / per_cell.all_purchase_count),
            4
        ) as seasonal_index,
        top_items.top_item,
        top_items.top_item_purchase_count
    from cell_totals as per_cell
    inner join top_items
        on per_cell.season = top_items.season
        and per_cell.product_category = top_items.product_category
)

select * from final
