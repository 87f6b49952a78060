-- One row per customer id in CDNOW_sample.txt (the file has no customer table: a customer is
-- every record with the same id within the sample). The file says nothing about customers
-- but their purchases: every attribute is unknown (NULL or 'unknown'), never invented.
-- source_row_number is the customer's first record in the file. All 2,357 customers made
-- their first purchase in the first quarter of 1997 (a cohort), which signup_date does not
-- claim: it stays NULL and tenure counts from the first order.
with

orders as (
    select source_row_number, customer_id from {{ ref('stg_cdnow__orders') }}
    where customer_id is not null
),

first_records as (
    select
        min(source_row_number) as source_row_number,
        customer_id
    from orders
    group by customer_id
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
