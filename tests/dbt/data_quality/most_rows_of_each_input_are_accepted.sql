{{ config(
    severity='warn', store_failures=true, store_failures_as='view', schema='data_quality_warnings'
) }}
-- Warns, without failing the build, when an input table loses more than half of its rows to
-- rejections. Such a build is complete and reconciled, but the marts describe little of the
-- data: an amount column left blank in every row rejects every order line, and the order
-- marts are empty while dataset_coverage still calls them fed (it says what the dataset can
-- feed, not what survived). The failing rows are kept as the view
-- data_quality_warnings.most_rows_of_each_input_are_accepted (dbt prints its query); every
-- rejected row and its reason is in marts.rejected_rows.
with

reconciliation as (
    select * from {{ ref('row_reconciliation') }}
),

rejected as (
    select * from {{ ref('rejected_rows') }}
),

reasons as (
    select
        table_name,
        rejection_reason,
        count(*) as row_count,
        row_number() over (
            partition by table_name order by count(*) desc, rejection_reason
        ) as reason_rank
    from rejected
    group by table_name, rejection_reason
)

select
    reconciliation.table_name,
    reconciliation.raw_row_count,
    reconciliation.rejected_row_count,
    reasons.rejection_reason as most_common_reason,
    reasons.row_count as most_common_reason_rows
from reconciliation
left join reasons
    on reconciliation.table_name = reasons.table_name
    and reasons.reason_rank = 1
where reconciliation.raw_row_count > 0
    and reconciliation.rejected_row_count * 2 > reconciliation.raw_row_count
