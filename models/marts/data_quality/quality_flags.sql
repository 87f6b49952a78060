-- One row per accepted customer and repair: values that were kept but nulled or normalised
-- (impossible ages, junk marital statuses, out-of-range scores) and extreme incomes.
with

customers as (
    select * from {{ ref('int_customers') }}
),

flags_unnested as (
    select
        customer_id,
        unnest(string_split(quality_flags, ',')) as quality_flag
    from customers
    where quality_flags is not null

    union all

    select
        customer_id,
        'income_outlier' as quality_flag
    from customers
    where is_income_outlier
),

final as (
    select
        'customers' as table_name,
        customer_id,
        quality_flag
    from flags_unnested
)

select * from final
