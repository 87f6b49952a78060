{#- The raw row's own values, as read, in one JSON text column (source_values): what a
    rejected row or a flagged value said before any parsing, so marts.rejected_rows and
    marts.quality_flags show it without going back to the file.

    Only the contract's columns are kept, never every column of the file (personal data a
    file carries, such as names or e-mail addresses, must not reach the models). The values
    are read again from the raw table for the given rows only, after the join: computing them
    in the staging views would cost a JSON text for every one of 20 M order lines (measured on
    the 1m data: a full read of customers went from 2.3 s to 5.1 s even when a CASE kept 1 row
    in 1,000), and with no rejected row the join reads nothing (0.03 s; 1,000 rejected order
    lines: 2.0 s). For a public dataset's adapter the values are NULL: its raw table is read
    by source_row_number (raw.<dataset>__<file>). -#}

{#- source_row_number and source_values of the raw rows of a contract table (customers,
    orders, campaign_responses) whose source_row_number is in rows_relation. -#}
{% macro raw_source_values(table_name, rows_relation) -%}
    {%- if var('dataset', 'contract') == 'contract' -%}
    select
        raw_rows.source_row_number,
        cast(to_json(struct_pack(
            {%- for column in contract_tables()[table_name]['columns'] %}
            {{ adapter.quote(column) }} := raw_rows.{{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        )) as varchar) as source_values
    from (select distinct source_row_number from {{ rows_relation }}) as wanted
    inner join (
        {{ contract_numbered_source(table_name, contract_source_types(table_name)) | indent(8) }}
    ) as raw_rows
        on wanted.source_row_number = raw_rows.source_row_number
    {%- else -%}
    select cast(null as bigint) as source_row_number, cast(null as varchar) as source_values
    where false
    {%- endif -%}
{%- endmacro %}
