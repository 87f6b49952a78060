{#- The input contract (SPEC "Input contract"): every table, its columns in order, and which
    are required. One definition, used to register DATA_DIR files and to build empty
    stand-ins for optional tables. -#}
{% macro contract_tables() -%}
    {{ return({
        "customers": {
            "required": ["customer_id"],
            "columns": ["customer_id", "birth_year", "age", "gender", "marital_status",
                        "education", "occupation", "annual_income", "kids_at_home",
                        "teens_at_home", "region", "state", "country", "signup_date",
                        "is_loyalty_member", "loyalty_score"],
            "optional_table": false,
        },
        "orders": {
            "required": ["order_id", "customer_id", "order_date", "product_category", "amount"],
            "columns": ["order_id", "customer_id", "order_date", "channel", "product_id",
                        "product_category", "quantity", "amount", "discount_amount",
                        "promo_code"],
            "optional_table": false,
        },
        "campaign_responses": {
            "required": ["customer_id", "campaign_id", "accepted"],
            "columns": ["customer_id", "campaign_id", "accepted", "sent_date"],
            "optional_table": true,
        },
    }) }}
{%- endmacro %}


{#- on-run-start: when var('data_dir') is set, expose the user's files as views in the raw
    schema (read in place, never copied), after checking the contract. A missing file or
    required column stops the run here, before any model is touched, with a message that
    names the file, the column and what was expected. -#}
{% macro register_data_dir_sources() %}
    {%- if not execute or var('data_dir', '') == '' or var('dataset', 'contract') != 'contract' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set data_dir = var('data_dir').rstrip('/') -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for table_name, spec in contract_tables().items() -%}
        {%- set reader = contract_file_reader(data_dir, table_name, spec['optional_table']) -%}
        {%- set select_list = [] -%}
        {%- if reader is none -%}
            {%- for column in spec['columns'] -%}
                {%- do select_list.append('cast(null as varchar) as ' ~ column) -%}
            {%- endfor -%}
            {%- set body = 'select ' ~ select_list | join(', ') ~ ' where false' -%}
        {%- else -%}
            {%- set present = contract_file_columns(reader) -%}
            {%- for column in spec['required'] -%}
                {%- if column not in present -%}
                    {{ exceptions.raise_compiler_error(
                        "Input contract violated: " ~ reader['path'] ~ " (table '" ~ table_name
                        ~ "') has no required column '" ~ column ~ "'. Expected columns: "
                        ~ spec['columns'] | join(', ') ~ " (required: " ~ spec['required'] | join(', ')
                        ~ "). Found: " ~ present | join(', ') ~ "."
                    ) }}
                {%- endif -%}
            {%- endfor -%}
            {%- for column in spec['columns'] -%}
                {%- if column in present -%}
                    {%- do select_list.append('cast(' ~ adapter.quote(column) ~ ' as varchar) as ' ~ column) -%}
                {%- else -%}
                    {%- do select_list.append('cast(null as varchar) as ' ~ column) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set extra = present | reject('in', spec['columns']) | list -%}
            {%- if extra | length > 0 -%}
                {{ log("Note: " ~ reader['path'] ~ " has columns outside the contract, ignored: " ~ extra | join(', '), info=true) }}
            {%- endif -%}
            {%- set body = 'select ' ~ select_list | join(', ') ~ ' from ' ~ reader['sql'] -%}
        {%- endif -%}
        {%- set existing = adapter.get_relation(database=target.database, schema='raw', identifier=table_name) -%}
        {%- if existing is not none and existing.type == 'table' -%}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif -%}
        {%- do run_query('create or replace view raw.' ~ table_name ~ ' as ' ~ body) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- Finds <data_dir>/<table>.parquet or .csv (or .csv.gz) and returns the DuckDB reader
    expression; every CSV column is read as text so that staging, not the CSV sniffer,
    decides what parses. -#}
{% macro contract_file_reader(data_dir, table_name, optional) %}
    {%- set found = run_query(
        "select file from glob('" ~ data_dir ~ "/" ~ table_name ~ ".*') order by file"
    ).columns[0].values() | list -%}
    {%- set parquet = [] -%}
    {%- set csv = [] -%}
    {%- for file in found -%}
        {%- if file.lower().endswith('.parquet') -%}
            {%- do parquet.append(file) -%}
        {%- elif file.lower().endswith(('.csv', '.csv.gz', '.tsv', '.txt')) -%}
            {%- do csv.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parquet | length > 0 -%}
        {{ return({'path': parquet[0], 'sql': "read_parquet('" ~ parquet[0] ~ "')"}) }}
    {%- elif csv | length > 0 -%}
        {{ return({'path': csv[0], 'sql': "read_csv('" ~ csv[0] ~ "', header = true, all_varchar = true)"}) }}
    {%- elif optional -%}
        {{ log("Note: no " ~ table_name ~ ".csv or .parquet in " ~ data_dir ~ "; it is optional, the models see it empty.", info=true) }}
        {{ return(none) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Input contract violated: no file for required table '" ~ table_name ~ "' in DATA_DIR "
            ~ data_dir ~ ". Expected " ~ table_name ~ ".csv or " ~ table_name ~ ".parquet"
            ~ (" (found: " ~ found | join(', ') ~ ")" if found else "") ~ "."
        ) }}
    {%- endif -%}
{% endmacro %}


{% macro contract_file_columns(reader) %}
    {%- set described = run_query('describe select * from ' ~ reader['sql']) -%}
    {{ return(described.columns[0].values() | map('lower') | map('trim') | list) }}
{% endmacro %}


{#- source('contract', table), plus a dependency on the demo seed when the demo data is in
    use, so that `dbt build` loads raw.<table> before staging reads it. -#}
{% macro contract_source(table_name) -%}
    {%- if var('data_dir', '') == '' -%}
        {%- set _seed = ref('demo_' ~ table_name) -%}
    {%- endif -%}
    {{ source('contract', table_name) }}
{%- endmacro %}
