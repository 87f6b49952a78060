-- The data_dictionary seed describes exactly the input contract the build checks
-- (macros/contract.sql): the same tables, columns in the same order, and the same required
-- columns. One row per column the two disagree on.
{%- set contract = contract_tables() %}
-- The seed is read whole even under `dbt build --empty` (.render() skips the zero-row limit
-- --empty puts on every ref): it is reference data, loaded in full in any build.
with

data_dictionary as (
    select * from {{ ref('data_dictionary').render() }}
),

contract_columns as (
    {%- for table_name, spec in contract.items() %}
    {%- for column_name in spec['columns'] %}
    select
        '{{ table_name }}' as table_name,
        {{ loop.index }} as column_order,
        '{{ column_name }}' as column_name,
        {{ 'true' if column_name in spec['required'] else 'false' }} as is_required
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

compared as (
    select
        table_name,
        column_name,
        contract_columns.column_order as contract_order,
        data_dictionary.column_order as dictionary_order,
        contract_columns.is_required as contract_required,
        data_dictionary.is_required as dictionary_required
    from contract_columns
    full outer join data_dictionary using (table_name, column_name)
)

select * from compared
where contract_order is distinct from dictionary_order
    or contract_required is distinct from dictionary_required
