{{ config(
    severity='warn', store_failures=true, store_failures_as='view', schema='data_quality_warnings'
) }}
-- Warns, without failing the build, when order lines or campaign responses rejected as
-- unknown_customer_id would match an accepted customer if the two files spelled the id alike:
-- ignoring case ('c0771064' for 'C0771064'), leading zeros (a spreadsheet turned '00123' into
-- '123') or a trailing '.0' (the id was read as a number: '123.0'). Keys are matched exactly,
-- so such rows stay rejected; the warning says that they are probably not unknown customers
-- but a key that one export changed. The failing rows are kept as the view
-- data_quality_warnings.unknown_customer_ids_match_a_customer_loosely (dbt prints its query):
-- per table, the rejected rows, how many of them match loosely and one example pair. The
-- customers are read only when some row was rejected as unknown_customer_id, so the test
-- costs nothing on clean data.
with

rejected as (
    select * from {{ ref('rejected_rows') }}
),

customers as (
    select * from {{ ref('int_customers_checked') }}
),

unknown as (
    select
        table_name,
        customer_id,
        {{ loose_customer_key('customer_id') }} as loose_key
    from rejected
    where rejection_reason = 'unknown_customer_id'
),

-- A loose key shared by two accepted customers ('0123' and '123') names neither: only keys
-- that stand for one customer count as a match. Not computed at all when no row was
-- rejected as unknown_customer_id (0.2 s for 1 M customers otherwise).
accepted as (
    select
        {{ loose_customer_key('customer_id') }} as loose_key,
        min(customer_id) as customer_id
    from customers
    where rejection_reason is null
        and exists (select 1 from unknown)
    group by loose_key
    having count(*) = 1
),

matched as (
    select
        unknown.table_name,
        unknown.customer_id as rejected_customer_id,
        accepted.customer_id as accepted_customer_id
    from unknown
    inner join accepted
        on unknown.loose_key = accepted.loose_key
),

per_table as (
    select
        unknown.table_name,
        count(*) as unknown_customer_row_count
    from unknown
    group by unknown.table_name
),

matched_per_table as (
    select
        table_name,
        count(*) as loosely_matching_row_count,
        min(rejected_customer_id) as example_rejected_customer_id,
        arg_min(accepted_customer_id, rejected_customer_id) as example_customer_id
    from matched
    group by table_name
)

select
    per_table.table_name,
    per_table.unknown_customer_row_count,
    matched_per_table.loosely_matching_row_count,
    matched_per_table.example_rejected_customer_id,
    matched_per_table.example_customer_id
from per_table
inner join matched_per_table
    on per_table.table_name = matched_per_table.table_name
