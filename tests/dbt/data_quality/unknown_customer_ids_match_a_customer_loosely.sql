{{ config(
    severity='warn', store_failures=true, store_failures_as='view', schema='data_quality_warnings'
) }}
-- Warns, without failing the build, when order lines or campaign responses rejected as
-- unknown_customer_id would match an accepted customer if the two files spelled the id alike:
-- ignoring case ('c0771064' for 'C0771064'), leading zeros (a spreadsheet turned '00123' into
-- '123') or a trailing '.0' (the id was read as a number: '123.0'). Keys are matched exactly,
-- so such rows stay rejected; the warning says that they are probably not unknown customers
-- but a key that one export changed. marts.rejected_rows names the customer each such row
-- matches (loosely_matching_customer_id); this test reads that mart alone, so it never runs
-- ahead of it. The failing rows are kept as the view
-- data_quality_warnings.unknown_customer_ids_match_a_customer_loosely (dbt prints its query):
-- per table, the rejected rows, how many of them match loosely and one example pair.
with

rejected as (
    select * from {{ ref('rejected_rows') }}
),

per_table as (
    select
        table_name,
        count(*) as unknown_customer_row_count,
        count(loosely_matching_customer_id) as loosely_matching_row_count,
        min(customer_id) filter (where loosely_matching_customer_id is not null)
            as example_rejected_customer_id,
        arg_min(loosely_matching_customer_id, customer_id)
        filter (where loosely_matching_customer_id is not null) as example_customer_id
    from rejected
    where rejection_reason = 'unknown_customer_id'
    group by table_name
)

select * from per_table
where loosely_matching_row_count > 0
