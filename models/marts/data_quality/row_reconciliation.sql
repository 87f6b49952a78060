-- One row per input table: raw rows = accepted rows + rejected rows, proven per build.
-- Raw rows are the selected dataset's staging rows (one per raw row; for Diwali sales, whose
-- file has no customer table, one customer row per distinct User_ID). Orders count every
-- accepted line, dated or not.
with

raw_counts as (
    select
        'customers' as table_name,
        count(*) as raw_row_count
    from {{ staging_ref('customers') }}
    union all
    select
        'orders' as table_name,
        count(*) as raw_row_count
    from {{ staging_ref('orders') }}
    union all
    select
        'campaign_responses' as table_name,
        count(*) as raw_row_count
    from {{ staging_ref('campaign_responses') }}
),

accepted_counts as (
    select
        'customers' as table_name,
        count(*) as accepted_row_count
    from {{ ref('int_customers') }}
    union all
    select
        'orders' as table_name,
        count(*) as accepted_row_count
    from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
    union all
    select
        'campaign_responses' as table_name,
        count(*) as accepted_row_count
    from {{ ref('int_campaign_responses_checked') }}
    where rejection_reason is null
),

rejected_counts as (
    select
        table_name,
        count(*) as rejected_row_count
    from {{ ref('rejected_rows') }}
    group by table_name
),

final as (
    select
        raw_counts.table_name,
        raw_counts.raw_row_count,
        accepted_counts.accepted_row_count,
        coalesce(rejected_counts.rejected_row_count, 0) as rejected_row_count,
        raw_counts.raw_row_count = accepted_counts.accepted_row_count
        + coalesce(rejected_counts.rejected_row_count, 0) as is_reconciled
    from raw_counts
    inner join accepted_counts
        on raw_counts.table_name = accepted_counts.table_name
    left join rejected_counts
        on raw_counts.table_name = rejected_counts.table_name
)

select * from final
