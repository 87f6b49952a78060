-- Research question 2 of source document 003: "How do seasonal trends and promotional
-- events impact overall sales and product demand?"
-- One row per month of the year (averaged over the years in the data): revenue against the
-- same year's average month, orders per day, how much was discounted, and how many orders
-- fell on holidays. Months well above 1 are the peaks to stock and staff for.
with

seasonal_sales as (
    select * from {{ ref('seasonal_sales') }}
),

promotion_impact_by_month as (
    select * from {{ ref('promotion_impact_by_month') }}
),

final as (
    select
        seasonal_sales.month_of_year,
        min(seasonal_sales.season) as season,
        count(*) as months_in_data,
        round(avg(seasonal_sales.revenue_index_within_year), 3) as mean_revenue_index,
        round(avg(seasonal_sales.orders_per_day), 2) as mean_orders_per_day,
        round(avg(promotion_impact_by_month.discounted_order_share), 3)
            as mean_discounted_order_share,
        round(avg(promotion_impact_by_month.discounted_units_per_line), 3)
            as discounted_units_per_line,
        round(avg(promotion_impact_by_month.full_price_units_per_line), 3)
            as full_price_units_per_line,
        round(sum(seasonal_sales.holiday_order_count) / sum(seasonal_sales.order_count), 3)
            as holiday_order_share
    from seasonal_sales
    left join promotion_impact_by_month
        on seasonal_sales.order_month = promotion_impact_by_month.order_month
    group by seasonal_sales.month_of_year
)

select * from final
order by month_of_year
