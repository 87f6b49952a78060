-- Every insight mart accounts for every customer, order and unit of revenue of the core
-- marts exactly once per grouping: one row per count that does not reconcile.
with

customers as (
    select
        count(*) as customer_count,
        sum(total_spend) as revenue
    from {{ ref('customers') }}
),

orders as (
    select
        count(*) as order_count,
        sum(amount) as revenue
    from {{ ref('orders') }}
    where order_date is not null
),

-- the customers who bought through a channel, and their orders and spend
channel_customers as (
    select
        sum(order_count) as order_count,
        sum(total_spend) as total_spend
    from {{ ref('customers') }}
    where customer_id in (
            select channel_spend.customer_id
            from {{ ref('int_customer_channel_spend') }} as channel_spend
        )
),

checks as (
    select
        'demographic_spend ' || dimension as check_name,
        sum(customer_count) as found,
        (select customers.customer_count from customers) as expected
    from {{ ref('demographic_spend') }}
    group by dimension
    union all
    select
        'demographic_spend revenue ' || dimension,
        sum(total_spend),
        (select customers.revenue from customers)
    from {{ ref('demographic_spend') }}
    group by dimension
    union all
    -- every dated order once, in its customer's segment
    select
        'segment_monthly_sales orders',
        sum(order_count),
        (select orders.order_count from orders)
    from {{ ref('segment_monthly_sales') }}
    having count(*) > 0
    union all
    select
        'segment_monthly_sales revenue',
        sum(revenue),
        (select orders.revenue from orders)
    from {{ ref('segment_monthly_sales') }}
    having count(*) > 0
    union all
    -- every accepted purchase row once per dimension (empty for data without line
    -- demographics: no rows to check)
    select
        'demographic_spend_by_order_line revenue ' || dimension,
        sum(total_spend),
        (select customers.revenue from customers)
    from {{ ref('demographic_spend_by_order_line') }}
    group by dimension
    union all
    -- every accepted stated purchase once per dimension, and once in the season x category
    -- grid (empty for data without stated purchases: no rows to check)
    select
        'stated_purchase_sales revenue ' || dimension,
        sum(revenue),
        (select customers.revenue from customers)
    from {{ ref('stated_purchase_sales') }}
    group by dimension
    union all
    select
        'category_demand_by_stated_season revenue',
        sum(revenue),
        (select customers.revenue from customers)
    from {{ ref('category_demand_by_stated_season') }}
    having count(*) > 0
    union all
    -- every customer once per variable: in a bin, or in its outlier or unknown row
    select
        'customer_demographics_distribution ' || variable,
        sum(customer_count),
        (select customers.customer_count from customers)
    from {{ ref('customer_demographics_distribution') }}
    group by variable
    union all
    select
        'spend_by_age_group_and_gender',
        sum(customer_count),
        (select customers.customer_count from customers)
    from {{ ref('spend_by_age_group_and_gender') }}
    union all
    select
        'loyalty_vs_spend all',
        sum(customer_count) filter (where scope = 'all'),
        (select customers.customer_count from customers)
    from {{ ref('loyalty_vs_spend') }}
    union all
    select
        'loyalty_vs_spend age groups',
        sum(customer_count) filter (where scope = 'age_group'),
        (select customers.customer_count from customers)
    from {{ ref('loyalty_vs_spend') }}
    union all
    select
        'spend_by_loyalty_band',
        sum(customer_count),
        (select customers.customer_count from customers)
    from {{ ref('spend_by_loyalty_band') }}
    union all
    select
        'loyalty_membership_spend',
        sum(customer_count),
        (select customers.customer_count from customers)
    from {{ ref('loyalty_membership_spend') }}
    union all
    select
        'revenue_concentration customers',
        sum(customer_count),
        (select customers.customer_count from customers)
    from {{ ref('revenue_concentration') }}
    union all
    select
        'revenue_concentration revenue',
        sum(revenue),
        (select customers.revenue from customers)
    from {{ ref('revenue_concentration') }}
    union all
    select
        'category_demand_by_region spend',
        sum(spend),
        (select sum(category_demand.spend) from {{ ref('category_demand') }} as category_demand)
    from {{ ref('category_demand_by_region') }}
    union all
    select
        'category_seasonal_demand spend',
        sum(spend),
        (
            select sum(category_demand.spend) from {{ ref('category_demand') }} as category_demand
            where {{ dataset_has('dated_order_lines') }} and {{ dataset_has('categories') }}
        )
    from {{ ref('category_seasonal_demand') }}
    union all
    -- a holiday's categories add up to its row of holiday_sales (revenue, units, days), all
    -- holidays pooled to its holidays, the ordinary days to its 'no holiday' row, and each
    -- category's holiday and ordinary-day revenue to its spend; for data with categories
    -- whose date range holds a holiday (the mart is empty otherwise)
    select
        'category_holiday_demand revenue on ' || holiday_sales.holiday_name,
        (
            select sum(category_holiday_demand.holiday_revenue)
            from {{ ref('category_holiday_demand') }} as category_holiday_demand
            where category_holiday_demand.holiday_name = holiday_sales.holiday_name
        ),
        holiday_sales.revenue
    from {{ ref('holiday_sales') }} as holiday_sales
    where holiday_sales.is_holiday and {{ dataset_has('categories') }}
    union all
    select
        'category_holiday_demand units on ' || holiday_sales.holiday_name,
        (
            select sum(category_holiday_demand.holiday_quantity)
            from {{ ref('category_holiday_demand') }} as category_holiday_demand
            where category_holiday_demand.holiday_name = holiday_sales.holiday_name
        ),
        holiday_sales.quantity
    from {{ ref('holiday_sales') }} as holiday_sales
    where holiday_sales.is_holiday and {{ dataset_has('categories') }}
    union all
    select
        'category_holiday_demand days of ' || category_holiday_demand.holiday_name || ' '
        || category_holiday_demand.product_category,
        category_holiday_demand.holiday_day_count,
        coalesce(
            (
                select holiday_sales.day_count
                from {{ ref('holiday_sales') }} as holiday_sales
                where holiday_sales.holiday_name = category_holiday_demand.holiday_name
            ),
            (
                select sum(holiday_sales.day_count)
                from {{ ref('holiday_sales') }} as holiday_sales
                where holiday_sales.is_holiday and category_holiday_demand.is_all_holidays
            )
        )
    from {{ ref('category_holiday_demand') }} as category_holiday_demand
    union all
    select
        'category_holiday_demand ordinary days of ' || category_holiday_demand.holiday_name
        || ' ' || category_holiday_demand.product_category,
        category_holiday_demand.ordinary_day_count,
        (
            select holiday_sales.day_count
            from {{ ref('holiday_sales') }} as holiday_sales
            where not holiday_sales.is_holiday
        )
    from {{ ref('category_holiday_demand') }} as category_holiday_demand
    union all
    select
        'category_holiday_demand revenue on all holidays',
        sum(holiday_revenue) filter (where is_all_holidays),
        (
            select sum(holiday_sales.revenue)
            from {{ ref('holiday_sales') }} as holiday_sales
            where holiday_sales.is_holiday and {{ dataset_has('categories') }}
        )
    from {{ ref('category_holiday_demand') }}
    union all
    select
        'category_holiday_demand revenue on ordinary days',
        sum(ordinary_revenue) filter (where is_all_holidays),
        (
            select holiday_sales.revenue
            from {{ ref('holiday_sales') }} as holiday_sales
            where
                not holiday_sales.is_holiday
                and {{ dataset_has('categories') }}
                and exists (
                    select 1 from {{ ref('holiday_sales') }} as holidays
                    where holidays.is_holiday
                )
        )
    from {{ ref('category_holiday_demand') }}
    union all
    select
        'category_holiday_demand spend of ' || category_demand.product_category,
        (
            select
                sum(
                    category_holiday_demand.holiday_revenue
                    + category_holiday_demand.ordinary_revenue
                )
            from {{ ref('category_holiday_demand') }} as category_holiday_demand
            where
                category_holiday_demand.is_all_holidays
                and category_holiday_demand.product_category = category_demand.product_category
        ),
        category_demand.spend
    from {{ ref('category_demand') }} as category_demand
    where
        {{ dataset_has('dated_order_lines') }} and {{ dataset_has('categories') }}
        and exists (
            select 1 from {{ ref('holiday_sales') }} as holiday_sales
            where holiday_sales.is_holiday
        )
    union all
    -- the segment grouping counts the segmented customers (those who have bought something)
    select
        'repeat_purchase ' || grouping,
        sum(customer_count),
        case
            when grouping = 'segment'
                then (select count(*) from {{ ref('customer_segments') }})
            else (select customers.customer_count from customers)
        end
    from {{ ref('repeat_purchase') }}
    group by grouping
    union all
    select
        'promotion_impact orders',
        sum(order_count),
        (select count(*) from {{ ref('orders') }})
    from {{ ref('promotion_impact') }}
    union all
    select
        'seasonal_sales orders',
        sum(order_count),
        (select orders.order_count from orders)
    from {{ ref('seasonal_sales') }}
    union all
    select
        'seasonal_sales revenue',
        sum(revenue),
        (select orders.revenue from orders)
    from {{ ref('seasonal_sales') }}
    union all
    select
        'sales_by_season orders',
        sum(order_count),
        (select orders.order_count from orders)
    from {{ ref('sales_by_season') }}
    union all
    select
        'holiday_sales orders',
        sum(order_count),
        (select orders.order_count from orders)
    from {{ ref('holiday_sales') }}
    union all
    select
        'category_demand spend',
        sum(spend),
        (
            select sum(int_customer_category_spend.spend)
            from {{ ref('int_customer_category_spend') }} as int_customer_category_spend
        )
    from {{ ref('category_demand') }}
    union all
    -- every order of a customer who bought through a channel, through exactly one channel
    select
        'channel_usage orders',
        sum(order_count),
        (select channel_customers.order_count from channel_customers)
    from {{ ref('channel_usage') }}
    union all
    -- and, where the data split spend by channel, all of their spend
    select
        'channel_usage spend',
        sum(spend),
        (
            select channel_customers.total_spend
            from channel_customers
            where {{ dataset_has('channel_spend') }}
        )
    from {{ ref('channel_usage') }}
    union all
    select
        'category_demand_by_segment spend',
        sum(spend),
        (
            select sum(category_spend.spend)
            from {{ ref('int_customer_category_spend') }} as category_spend
            inner join {{ ref('customer_segments') }} as customer_segments
                on category_spend.customer_id = customer_segments.customer_id
        )
    from {{ ref('category_demand_by_segment') }}
)

select *
from checks
where coalesce(found, 0) <> coalesce(expected, 0)
