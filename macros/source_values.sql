{#- The raw row's own values, as read, in one JSON text column (source_values): what a
    rejected row or a flagged value said before any parsing, so marts.rejected_rows and
    marts.quality_flags show it without going back to the file.

    Only named columns are kept, never every column of the file (personal data a file
    carries, such as names or e-mail addresses, must not reach the models): the contract's
    columns for the input contract; for a public dataset, the columns its adapter reads, as
    listed by the file's source_values in dataset_registry() (macros/datasets.sql; Diwali's
    cust_name is not among them). The values are read again from the raw table for the given
    rows only, after the join: computing them in the staging views would cost a JSON text
    for every one of 20 M order lines (measured on the 1m data: a full read of customers went
    from 2.3 s to 5.1 s even when a CASE kept 1 row in 1,000), and with no rejected row the
    join reads nothing (0.03 s; 1,000 rejected order lines: 2.0 s).

    A public dataset's raw table (raw.<dataset>__<file>) is numbered as its staging models
    number it, row_number() over () in file order, and a row's raw row is found from its
    source_row_number. A row made from one raw row has that row's number (a Diwali or CDNOW
    customer is numbered by the customer's first line, so it shows that line). An iFood
    campaign response is numbered per raw row × campaign ((raw row - 1) × 6 + campaign,
    macros/ifood.sql): it shows its customer's raw row, the file's rows_per_raw_row saying
    how many contract rows each raw row makes. -#}

{#- source_row_number and source_values of the raw rows of a contract table (customers,
    orders, campaign_responses) whose source_row_number is in rows_relation. -#}
{% macro raw_source_values(table_name, rows_relation) -%}
    {%- set dataset = var('dataset', 'contract') -%}
    {%- if dataset == 'contract' -%}
    select
        raw_rows.source_row_number,
        {{ source_values_json(contract_tables()[table_name]['columns'], 'raw_rows') }} as source_values
    from (select distinct source_row_number from {{ rows_relation }}) as wanted
    inner join (
        {{ contract_numbered_source(table_name, contract_source_types(table_name)) | indent(8) }}
    ) as raw_rows
        on wanted.source_row_number = raw_rows.source_row_number
    {%- else -%}
    {%- set file_name, file_spec = dataset_source_values_file(dataset, table_name) -%}
    {%- if file_spec is none -%}
    select cast(null as bigint) as source_row_number, cast(null as varchar) as source_values
    where false
    {%- else -%}
    {%- set rows_per_raw_row = file_spec['rows_per_raw_row'][table_name] -%}
    {%- set columns = file_spec.get('source_values', file_spec['required']) -%}
    select
        wanted.source_row_number,
        {{ source_values_json(columns, 'raw_rows') }} as source_values
    from (
        select distinct
            source_row_number,
            {% if rows_per_raw_row == 1 -%}
            source_row_number as raw_row_number
            {%- else -%}
            (source_row_number - 1) // {{ rows_per_raw_row }} + 1 as raw_row_number
            {%- endif %}
        from {{ rows_relation }}
    ) as wanted
    inner join (
        select
            row_number() over () as raw_row_number,
            {%- for column in columns %}
            source.{{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ source(dataset, file_name) }} as source
    ) as raw_rows
        on wanted.raw_row_number = raw_rows.raw_row_number
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The named columns of the row alias as one JSON text: {"column": value, ...}. -#}
{% macro source_values_json(columns, alias) -%}
    cast(to_json(struct_pack(
        {%- for column in columns %}
        {{ adapter.quote(column) }} := {{ alias }}.{{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}


{#- (file name, file spec) of the public dataset's file that a contract table is numbered
    from (its rows_per_raw_row names the table), or (none, none) when the dataset's staging
    does not produce the table. A staged table no file claims stops the run: its
    source_values would silently be NULL. -#}
{% macro dataset_source_values_file(dataset, table_name) -%}
    {%- set spec = dataset_capabilities(dataset) -%}
    {%- for file_name, file_spec in spec['files'].items() -%}
        {%- if table_name in file_spec.get('rows_per_raw_row', {}) -%}
            {{ return((file_name, file_spec)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if table_name in spec['staging'] -%}
        {{ exceptions.raise_compiler_error(
            "Dataset '" ~ dataset ~ "' stages " ~ table_name ~ " but none of its files lists it "
            ~ "in rows_per_raw_row (macros/datasets.sql), so its source_values cannot be read."
        ) }}
    {%- endif -%}
    {{ return((none, none)) }}
{%- endmacro %}
