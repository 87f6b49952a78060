-- One row per product category and holiday of the data's date span, plus one row per
-- category for all holidays pooled (holiday_name 'all holidays', holiday_order 0): the
-- category's orders, units and revenue per holiday day against per ordinary day (the lifts),
-- and its share of the holidays' revenue against its share of ordinary-day revenue
-- (share_lift: above 1, holidays lift the category more than the rest of the assortment).
-- Answers which product categories holidays drive (source document 003, "how holidays and
-- seasonal events drive product demand"; 001). A line counts on its order's date and
-- holiday, as holiday_sales counts the order, over the same days (int_calendar_days), so a
-- holiday's categories add up to its row there. Every holiday × category pair, zero when
-- unsold. Needs dated order lines with categories: empty otherwise, and empty when no
-- holiday of the calendar falls inside the data's date span.
with

order_lines as (
    select * from {{ ref('int_order_lines_categorised') }}
),

orders as (
    select * from {{ ref('orders') }}
),

calendar_days as (
    select * from {{ ref('int_calendar_days') }}
),

-- each line on its order's date, with the order's holiday (NULL on an ordinary day)
lines_on_order_days as (
    select
        order_lines.order_id,
        orders.holiday_name,
        order_lines.product_category,
        order_lines.quantity,
        order_lines.amount
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
),

per_cell as (
    select
        holiday_name,
        product_category,
        count(distinct order_id) as order_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as revenue
    from lines_on_order_days
    group by holiday_name, product_category
),

holiday_days as (
    select
        holiday_name,
        count(*) as day_count,
        -- month and day of the holiday's first date in the data: holidays in calendar order
        extract(month from min(calendar_date)) * 100
        + extract(day from min(calendar_date)) as month_day
    from calendar_days
    where is_holiday
    group by holiday_name
),

day_counts as (
    select
        count(*) filter (where is_holiday) as holiday_day_count,
        count(*) filter (where not is_holiday) as ordinary_day_count
    from calendar_days
),

-- all holidays pooled, then each holiday in calendar order
holiday_scopes as (
    select
        'all holidays' as holiday_name,
        0 as holiday_order,
        holiday_day_count as day_count,
        true as is_all_holidays
    from day_counts
    where holiday_day_count > 0
    union all
    select
        holiday_name,
        row_number() over (order by month_day, holiday_name) as holiday_order,
        day_count,
        false as is_all_holidays
    from holiday_days
),

categories as (
    select distinct product_category
    from per_cell
),

holiday_sales_per_scope as (
    select
        holiday_name,
        product_category,
        order_count,
        quantity,
        revenue
    from per_cell
    where holiday_name is not null
    union all
    select
        'all holidays' as holiday_name,
        product_category,
        {{ integer_sum('order_count') }} as order_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('revenue') }} as revenue
    from per_cell
    where holiday_name is not null
    group by product_category
),

ordinary_sales as (
    select
        product_category,
        order_count,
        quantity,
        revenue
    from per_cell
    where holiday_name is null
),

-- every holiday scope for every category, unsold at 0
grid as (
    select
        holiday_scopes.holiday_name,
        categories.product_category,
        cast(holiday_scopes.holiday_order as integer) as holiday_order,
        cast(holiday_scopes.day_count as bigint) as holiday_day_count,
        cast(day_counts.ordinary_day_count as bigint) as ordinary_day_count,
        coalesce(holiday_sales_per_scope.order_count, 0) as holiday_order_count,
        coalesce(holiday_sales_per_scope.quantity, 0) as holiday_quantity,
        coalesce(holiday_sales_per_scope.revenue, 0) as holiday_revenue,
        coalesce(ordinary_sales.order_count, 0) as ordinary_order_count,
        coalesce(ordinary_sales.quantity, 0) as ordinary_quantity,
        coalesce(ordinary_sales.revenue, 0) as ordinary_revenue,
        holiday_scopes.is_all_holidays
    from holiday_scopes
    cross join categories
    cross join day_counts
    left join holiday_sales_per_scope
        on holiday_scopes.holiday_name = holiday_sales_per_scope.holiday_name
        and categories.product_category = holiday_sales_per_scope.product_category
    left join ordinary_sales
        on categories.product_category = ordinary_sales.product_category
),

per_day as (
    select
        *,
        {{ safe_divide('cast(holiday_order_count as double)', 'holiday_day_count') }}
            as holiday_orders_per_day,
        {{ safe_divide('cast(ordinary_order_count as double)', 'ordinary_day_count') }}
            as ordinary_orders_per_day,
        {{ safe_divide('cast(holiday_quantity as double)', 'holiday_day_count') }}
            as holiday_units_per_day,
        {{ safe_divide('cast(ordinary_quantity as double)', 'ordinary_day_count') }}
            as ordinary_units_per_day,
        {{ safe_divide('cast(holiday_revenue as double)', 'holiday_day_count') }}
            as holiday_revenue_per_day,
        {{ safe_divide('cast(ordinary_revenue as double)', 'ordinary_day_count') }}
            as ordinary_revenue_per_day,
        {{ share_of_total('holiday_revenue', partition_by='holiday_name') }}
            as holiday_revenue_share,
        {{ share_of_total('ordinary_revenue', partition_by='holiday_name') }}
            as ordinary_revenue_share
    from grid
),

final as (
    select
        holiday_name,
        product_category,
        holiday_order,
        holiday_day_count,
        ordinary_day_count,
        holiday_order_count,
        holiday_quantity,
        holiday_revenue,
        ordinary_order_count,
        ordinary_quantity,
        ordinary_revenue,
        round(holiday_orders_per_day, 4) as holiday_orders_per_day,
        round(ordinary_orders_per_day, 4) as ordinary_orders_per_day,
        round({{ safe_divide('holiday_orders_per_day', 'ordinary_orders_per_day') }}, 4)
            as order_lift,
        round(holiday_units_per_day, 4) as holiday_units_per_day,
        round(ordinary_units_per_day, 4) as ordinary_units_per_day,
        round({{ safe_divide('holiday_units_per_day', 'ordinary_units_per_day') }}, 4)
            as unit_lift,
        round(holiday_revenue_per_day, 2) as holiday_revenue_per_day,
        round(ordinary_revenue_per_day, 2) as ordinary_revenue_per_day,
        round({{ safe_divide('holiday_revenue_per_day', 'ordinary_revenue_per_day') }}, 4)
            as revenue_lift,
        round(holiday_revenue_share, 6) as holiday_revenue_share,
        round(ordinary_revenue_share, 6) as ordinary_revenue_share,
        round({{ safe_divide('holiday_revenue_share', 'ordinary_revenue_share') }}, 4)
            as share_lift,
        is_all_holidays
    from per_day
)

select * from final
