{{ config(store_failures=true, store_failures_as='view', schema='data_quality_warnings') }}
-- Stops the build when customer rows were read but none was accepted: a customer_id column
-- left blank in every row, or the wrong column exported under its name. Nothing past the
-- checks can describe anyone then, and segmentation would fail on zero customers with a
-- Python traceback that does not say why. The test reads int_customers, so dbt skips
-- everything built from it (the customer marts, the segments, the insight marts); the rejected
-- rows are kept with their reasons in marts.rejected_rows, which does not depend on it. The
-- failing row is kept as the view data_quality_warnings.some_customer_rows_are_accepted (dbt
-- prints its query): how many rows were read, the commonest reason and what to check. An
-- input where only some customers are rejected builds, and most_rows_of_each_input_are_accepted
-- warns when more than half are.
with

checked as (
    select * from {{ ref('int_customers_checked') }}
),

read_rows as (
    select count(*) as raw_row_count from checked
),

accepted as (
    select count(*) as accepted_row_count from {{ ref('int_customers') }}
),

reasons as (
    select
        rejection_reason,
        count(*) as row_count
    from checked
    where rejection_reason is not null
    group by rejection_reason
    order by row_count desc, rejection_reason
    limit 1
)

select
    'customers' as table_name,
    read_rows.raw_row_count,
    accepted.accepted_row_count,
    reasons.rejection_reason as most_common_reason,
    reasons.row_count as most_common_reason_rows,
    'No customer row was accepted, so nothing past the checks was built. Every row and its '
    || 'reason is in marts.rejected_rows (where table_name = ''customers''); see '
    || 'raw.data_dictionary for what each customers column expects.' as what_to_do
from read_rows
cross join accepted
left join reasons on true
where accepted.accepted_row_count = 0 and read_rows.raw_row_count > 0
