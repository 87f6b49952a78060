-- One row per raw customer row: the staging row plus the checks that need the whole table
-- (a repeated customer_id keeps its first row; later rows are rejected). Reads the selected
-- dataset's staging adapter (var dataset; staging_ref in macros/datasets.sql).
with

stg_customers as (
    select * from {{ staging_ref('customers') }}
),

duplicates_marked as (
    select
        *,
        row_number() over (
            partition by customer_id order by source_row_number
        ) as customer_id_occurrence
    from stg_customers
),

final as (
    select
        * exclude (rejection_reason, customer_id_occurrence),
        coalesce(
            rejection_reason,
            case when customer_id_occurrence > 1 then 'duplicate_customer_id' end
        ) as rejection_reason
    from duplicates_marked
)

select * from final
