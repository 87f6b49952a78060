-- Shares that partition a whole must add up to 1 (within rounding): one row per violation.
with

shares as (
    select
        'demographic_spend ' || dimension as scope,
        sum(revenue_share) as total
    from {{ ref('demographic_spend') }}
    group by dimension
    union all
    select
        'demographic_spend customers ' || dimension,
        sum(customer_share)
    from {{ ref('demographic_spend') }}
    group by dimension
    union all
    select
        'segment_monthly_sales ' || order_month,
        sum(share_of_month_revenue)
    from {{ ref('segment_monthly_sales') }}
    group by order_month
    having sum(revenue) > 0
    union all
    select
        'demographic_spend_by_order_line ' || dimension,
        sum(revenue_share)
    from {{ ref('demographic_spend_by_order_line') }}
    group by dimension
    union all
    select
        'demographic_spend_by_order_line rows ' || dimension,
        sum(order_line_share)
    from {{ ref('demographic_spend_by_order_line') }}
    group by dimension
    union all
    select
        'stated_purchase_sales ' || dimension,
        sum(revenue_share)
    from {{ ref('stated_purchase_sales') }}
    group by dimension
    union all
    select
        'stated_purchase_sales purchases ' || dimension,
        sum(purchase_share)
    from {{ ref('stated_purchase_sales') }}
    group by dimension
    union all
    select
        'category_demand_by_stated_season ' || season,
        sum(share_of_season_purchases)
    from {{ ref('category_demand_by_stated_season') }}
    group by season
    union all
    -- each variable's bins (customers with a known, non-outlier value), and all of its rows
    select
        'customer_demographics_distribution ' || variable,
        sum(customer_share)
    from {{ ref('customer_demographics_distribution') }}
    group by variable
    union all
    select
        'customer_demographics_distribution all customers ' || variable,
        sum(share_of_all_customers)
    from {{ ref('customer_demographics_distribution') }}
    group by variable
    union all
    select
        'spend_by_age_group_and_gender',
        sum(revenue_share)
    from {{ ref('spend_by_age_group_and_gender') }}
    union all
    select
        'category_demand',
        sum(spend_share)
    from {{ ref('category_demand') }}
    union all
    select
        'category_demand_by_segment ' || segment_id,
        sum(share_of_segment_spend)
    from {{ ref('category_demand_by_segment') }}
    group by segment_id
    having sum(spend) > 0
    union all
    select
        'category_demand_by_spend_decile ' || spend_decile,
        sum(share_of_decile_spend)
    from {{ ref('category_demand_by_spend_decile') }}
    group by spend_decile
    having sum(spend) > 0
    union all
    select
        'product_demand_by_segment ' || segment_id,
        sum(share_of_segment_spend)
    from {{ ref('product_demand_by_segment') }}
    group by segment_id
    having sum(spend) > 0
    union all
    select
        'promotion_impact orders',
        sum(order_share)
    from {{ ref('promotion_impact') }}
    union all
    select
        'promotion_impact revenue',
        sum(revenue_share)
    from {{ ref('promotion_impact') }}
    union all
    select
        'channel_usage orders',
        sum(order_share)
    from {{ ref('channel_usage') }}
    union all
    select
        'channel_usage spend',
        sum(spend_share)
    from {{ ref('channel_usage') }}
    union all
    select
        'loyalty_membership_spend',
        sum(revenue_share)
    from {{ ref('loyalty_membership_spend') }}
    union all
    select
        'revenue_concentration',
        sum(revenue_share)
    from {{ ref('revenue_concentration') }}
    union all
    select
        'sales_by_season',
        sum(revenue_share)
    from {{ ref('sales_by_season') }}
    union all
    select
        'seasonal_sales',
        sum(revenue_share)
    from {{ ref('seasonal_sales') }}
    union all
    select
        'category_holiday_demand holiday revenue ' || holiday_name,
        sum(holiday_revenue_share)
    from {{ ref('category_holiday_demand') }}
    group by holiday_name
    having sum(holiday_revenue) > 0
    union all
    select
        'category_holiday_demand ordinary revenue ' || holiday_name,
        sum(ordinary_revenue_share)
    from {{ ref('category_holiday_demand') }}
    group by holiday_name
    having sum(ordinary_revenue) > 0
    union all
    select
        'segment_value customers',
        sum(customer_share)
    from {{ ref('segment_value') }}
    union all
    select
        'segment_value historical',
        sum(historical_value_share)
    from {{ ref('segment_value') }}
    union all
    select
        'segment_value predicted',
        sum(predicted_value_share)
    from {{ ref('segment_value') }}
)

select *
from shares
where total is not null
    and abs(total - 1) > 0.0001
