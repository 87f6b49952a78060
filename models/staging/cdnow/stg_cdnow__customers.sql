-- One row per customer id in CDNOW_sample.txt (the file has no customer table: a customer is
-- every record with the same id within the sample, read as stg_cdnow__orders reads it). The
-- file says nothing about customers but their purchases: every attribute is unknown (NULL
-- or 'unknown'), never invented. source_row_number is the customer's first record in the
-- file. All 2,357 customers made their first purchase in the first quarter of 1997 (a
-- cohort), which signup_date does not claim: it stays NULL and tenure counts from the first
-- order. Like stg_diwali_sales__customers, a window picks each customer's first row.
with

source as (
    select * from {{ source('cdnow', 'purchases') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        case when len(fields) = 5 then fields[2] end as customer_id
    from source
),

first_records as (
    select
        source_row_number,
        customer_id
    from numbered
    where customer_id is not null
    qualify row_number() over (partition by customer_id order by source_row_number) = 1
),

final as (
    select
        source_row_number,
        customer_id,
        cast(null as bigint) as birth_year,
        cast(null as bigint) as age_reported,
        'unknown' as gender,
        'unknown' as marital_status,
        'unknown' as education,
        'unknown' as occupation,
        cast(null as decimal(18, 2)) as annual_income,
        cast(null as bigint) as kids_at_home,
        cast(null as bigint) as teens_at_home,
        'unknown' as region,
        'unknown' as state,
        'unknown' as country,
        cast(null as boolean) as is_loyalty_member,
        cast(null as double) as loyalty_score,
        cast(null as date) as signup_date,
        cast(null as varchar) as rejection_reason,
        cast(null as varchar) as quality_flags
    from first_records
)

select * from final
