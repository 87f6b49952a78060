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
    required column, a file that is not the CSV or Parquet its name says, an empty file, a
    required table with a header and no rows, or a CSV line that cannot be read stops the
    run here, before any model is touched and before any raw view is replaced, with a
    message that names the file, the column or line and what was expected. Only the
    contract's columns are read; other columns (names, e-mails …) are listed in the log. -#}
{% macro register_data_dir_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {#- A public dataset (var dataset, macros/datasets.sql) registers its own files. -#}
    {%- if var('dataset', 'contract') != 'contract' -%}
        {{ return(register_dataset_sources()) }}
    {%- endif -%}
    {%- if var('data_dir', '') == '' -%}
        {#- The demo seeds load raw.customers, raw.orders and raw.campaign_responses as tables.
            A warehouse built from a DATA_DIR has views there (or, for a large CSV, a numbered
            copy), which dbt seed refuses ("it is a view") or would append to. When this run
            seeds the demo: with --full-refresh they are dropped (the warehouse goes back to
            the demo on purpose), without it the run stops and says why. Runs that do not
            seed (dbt test, show, docs, a build of some models) leave them alone. -#}
        {%- set seeding = [] -%}
        {%- for table_name in contract_tables() -%}
            {%- if ('seed.customer_behavior.demo_' ~ table_name) in selected_resources -%}
                {%- set existing = adapter.get_relation(database=target.database, schema='raw', identifier=table_name) -%}
                {%- if existing is not none and (existing.type == 'view' or 'source_row_number' in (
                        adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list)) -%}
                    {%- do seeding.append(existing) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if seeding and flags.FULL_REFRESH -%}
            {%- for existing in seeding -%}
                {%- do adapter.drop_relation(existing) -%}
            {%- endfor -%}
        {%- elif seeding -%}
            {{ exceptions.raise_compiler_error(
                "This warehouse (" ~ target.path ~ ") was built from DATA_DIR files: " ~ seeding | join(', ')
                ~ " read them. This run has no data_dir, so it would load the demo seeds over them. "
                ~ "To keep building from your files, pass the same data_dir again "
                ~ "(make build DATA_DIR=... WAREHOUSE=..., or dbt build --vars '{data_dir: ...}'). "
                ~ "To turn this warehouse into the demo, add --full-refresh (make build DBT_ARGS=--full-refresh). "
                ~ "Nothing was built."
            ) }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- set data_dir = data_dir_path() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {#- Every file is checked before any view is replaced, so a bad file leaves raw as it was. -#}
    {%- set bodies = {} -%}
    {%- set copies = [] -%}
    {%- for table_name, spec in contract_tables().items() -%}
        {%- set reader = contract_file_reader(data_dir, table_name, spec['optional_table']) -%}
        {%- set select_list = [] -%}
        {%- if reader is none -%}
            {%- for column in spec['columns'] -%}
                {%- do select_list.append('cast(null as varchar) as ' ~ column) -%}
            {%- endfor -%}
            {%- do bodies.update({table_name: 'select ' ~ select_list | join(', ') ~ ' where false'}) -%}
        {%- else -%}
            {%- set present = contract_file_columns(reader) -%}
            {%- for column in spec['required'] -%}
                {%- if column not in present -%}
                    {%- set shown = [] -%}
                    {%- for name in present[:30] -%}
                        {%- do shown.append(name[:40] ~ ('…' if name | length > 40 else '')) -%}
                    {%- endfor -%}
                    {%- set known = present | select('in', spec['columns']) | list -%}
                    {%- if present | length == 1 -%}
                        {%- set hint = " The header was read as a single column: separate columns with commas (or semicolons, tabs, |)." -%}
                    {%- elif known | length == 0 -%}
                        {%- set hint = " None of the contract's column names is in the first line: the first line must be a header naming the columns." -%}
                    {%- else -%}
                        {%- set hint = "" -%}
                    {%- endif -%}
                    {{ exceptions.raise_compiler_error(contract_error(
                        reader['path'], table_name,
                        "has no required column '" ~ column ~ "'",
                        "the columns " ~ spec['columns'] | join(', ') ~ " (required: "
                            ~ spec['required'] | join(', ') ~ "; names are matched ignoring case)",
                        "Found: " ~ shown | join(', ') ~ ('…' if present | length > 30 else '') ~ "." ~ hint
                    )) }}
                {%- endif -%}
            {%- endfor -%}
            {%- if reader['format'] == 'parquet' -%}
                {%- do select_list.append('file_row_number + 1 as source_row_number') -%}
            {%- endif -%}
            {%- for column in spec['columns'] -%}
                {%- if column in present and reader['format'] == 'parquet'
                    and source_type_family(reader['column_types'][column]) != 'text' -%}
                    {#- Typed Parquet columns stay typed; staging casts them (macros/cleaning.sql). -#}
                    {%- do select_list.append(reader['column_sql'][column] ~ ' as ' ~ column) -%}
                {%- elif column in present -%}
                    {%- do select_list.append('cast(' ~ reader['column_sql'][column] ~ ' as varchar) as ' ~ column) -%}
                {%- else -%}
                    {%- do select_list.append('cast(null as varchar) as ' ~ column) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set extra = present | reject('in', spec['columns']) | list -%}
            {%- if extra | length > 0 -%}
                {{ log("Note: " ~ reader['path'] ~ " has columns outside the contract, not read: " ~ extra | join(', '), info=true) }}
            {%- endif -%}
            {%- if reader['format'] == 'parquet' -%}
                {%- do contract_check_date_order(reader, table_name, present) -%}
            {%- endif -%}
            {%- if reader['format'] == 'csv' -%}
                {%- set reader = contract_csv_scan(reader, table_name, spec) -%}
                {%- do contract_check_date_order(reader, table_name, present) -%}
                {%- if reader['row_count'] >= var('csv_copy_min_rows', 1000000) | int -%}
                    {#- A large CSV is copied once, numbered, rather than re-parsed by each of
                        the models that read it (Parquet is always read in place). -#}
                    {%- do select_list.insert(0, 'row_number() over () as source_row_number') -%}
                    {%- do copies.append(table_name) -%}
                    {{ log("raw." ~ table_name ~ ": " ~ reader['row_count'] ~ " CSV rows are copied into the warehouse once (var csv_copy_min_rows); Parquet would be read in place.", info=true) }}
                {%- endif -%}
            {%- endif -%}
            {%- do bodies.update({table_name: 'select ' ~ select_list | join(', ') ~ ' from ' ~ reader['sql']}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table_name, body in bodies.items() -%}
        {%- set kind = 'table' if table_name in copies else 'view' -%}
        {%- set existing = adapter.get_relation(database=target.database, schema='raw', identifier=table_name) -%}
        {%- if existing is not none and existing.type != kind -%}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif -%}
        {%- do run_query('create or replace ' ~ kind ~ ' raw.' ~ table_name ~ ' as ' ~ body) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- var('data_dir') as an absolute path (the profile's plugin resolves it against the folder
    dbt runs in), so that the raw views, which store the path they read, still work when the
    warehouse is queried from another folder. Without the plugin (a hand-made profile) the
    path is kept as given. -#}
{% macro data_dir_path() %}
    {%- set given = var('data_dir') | string -%}
    {%- set given = given.rstrip('/') or given -%}
    {%- if plugin_function_exists('customer_behavior_absolute_path') -%}
        {{ return(run_query(
            "select customer_behavior_absolute_path(" ~ sql_literal(given) ~ ")"
        ).columns[0].values()[0]) }}
    {%- endif -%}
    {{ return(given) }}
{% endmacro %}


{% macro plugin_function_exists(name) %}
    {{ return(run_query(
        "select count(*) from duckdb_functions() where function_name = " ~ sql_literal(name)
    ).columns[0].values()[0] > 0) }}
{% endmacro %}


{#- The files in a folder, sorted. The folder's name is escaped for glob(): a folder called
    "exp[1]" or "a*b" is that folder, not a pattern. -#}
{% macro data_dir_files(folder) %}
    {%- set pattern = folder | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]') -%}
    {{ return(run_query(
        "select file from glob(" ~ sql_literal(pattern ~ '/*') ~ ") order by file"
    ).columns[0].values() | list) }}
{% endmacro %}


{#- Two header names that mean the same contract column once case, spaces and dashes are
    ignored ("customer_id" and "Customer ID") stop the run: which one to read would be a
    guess, and DuckDB would only say "Duplicate struct entry name". -#}
{% macro contract_check_unique_columns(path, table_name, headers, only=none) %}
    {%- set seen = {} -%}
    {%- for original, clean in headers -%}
        {%- if clean in seen and (only is none or clean in only) -%}
            {{ exceptions.raise_compiler_error(contract_error(
                path, table_name,
                "has two columns that both read as '" ~ clean ~ "': '" ~ seen[clean] ~ "' and '" ~ original ~ "'",
                "each column once (names are matched ignoring case, spaces and dashes)",
                "Rename or remove one of them; nothing was built."
            )) }}
        {%- endif -%}
        {%- do seen.update({clean: original}) -%}
    {%- endfor -%}
{% endmacro %}


{#- The contract reads slash and dash dates day-first ("05/02/2024" is 5 February), or
    month-first with var date_order = month_first. A date column of text (any CSV column, a
    Parquet string column) holding a value that can only be read the other way round
    ("05/13/2024" has no 13th month) was written that way, and then its other values
    ("05/02/2024") would be read as the wrong day: the run stops with the column, the count,
    an example and the var that reads it instead. -#}
{% macro contract_check_date_order(reader, table_name, present) %}
    {%- set date_columns = [] -%}
    {%- for column in ['order_date', 'signup_date', 'sent_date'] if column in present -%}
        {#- A typed Parquet date holds no text to misread; a Parquet text column does. -#}
        {%- if reader['format'] != 'parquet' or source_type_family(reader['column_types'][column]) == 'text' -%}
            {%- do date_columns.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not date_columns or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {#- a month (1-12), then a number that can only be a day (13-31): month-first -#}
    {%- set month_first = "'(0?[1-9]|1[0-2])/(1[3-9]|2[0-9]|3[01])/([0-9]{2}|[0-9]{4})|(0?[1-9]|1[0-2])-(1[3-9]|2[0-9]|3[01])-[0-9]{4}'" -%}
    {%- set day_first = "'(1[3-9]|2[0-9]|3[01])/(0?[1-9]|1[0-2])/([0-9]{2}|[0-9]{4})|(1[3-9]|2[0-9]|3[01])-(0?[1-9]|1[0-2])-[0-9]{4}'" -%}
    {%- set reading = date_order() -%}
    {#- what the column holds when a value can only be read the other way round, what the
        build expects, and the way out -#}
    {%- set wrong = {
        'day_first': {
            'pattern': month_first,
            'found': "month-first",
            'expected': "dates as YYYY-MM-DD (or day-first DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, or YYYYMMDD); a month-first column read day-first would be wrong, because '05/02/2024' would be taken as 5 February",
            'detail': "If every slash or dash date in your files is month-first (MM/DD/YYYY), build with the dbt var date_order: month_first (make build VARS='date_order: month_first'); otherwise convert the column to YYYY-MM-DD. Nothing was built.",
        },
        'month_first': {
            'pattern': day_first,
            'found': "day-first",
            'expected': "month-first dates MM/DD/YYYY or MM-DD-YYYY (or YYYY-MM-DD, YYYYMMDD); a day-first column read month-first would be wrong, because '05/02/2024' would be taken as 2 May",
            'detail': "If the files' dates are day-first, build without date_order (day_first is the default); otherwise convert the column to YYYY-MM-DD. Nothing was built.",
        },
    }[reading] -%}
    {%- set measures = [] -%}
    {%- for column in date_columns -%}
        {%- set value = 'trim(' ~ reader['column_sql'][column] ~ ')' -%}
        {#- the date before a time of day ("05/13/2024 10:30", "05/13/2024T10:30"), which
            parse_date reads with the same day and month order as a date alone -#}
        {%- set day = "split_part(split_part(" ~ value ~ ", ' ', 1), 'T', 1)" -%}
        {%- do measures.append("count(*) filter (where regexp_full_match(" ~ day ~ ", " ~ wrong['pattern'] ~ "))") -%}
        {%- do measures.append("min(" ~ value ~ ") filter (where regexp_full_match(" ~ day ~ ", " ~ wrong['pattern'] ~ "))") -%}
        {#- short dates with a two-digit year ("24/01/31"): how many values their first,
            middle and last numbers take -#}
        {%- set short = "regexp_full_match(" ~ day ~ ", '[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}')" -%}
        {%- do measures.append("count(distinct split_part(" ~ day ~ ", '/', 1)) filter (where " ~ short ~ ")") -%}
        {%- do measures.append("count(distinct split_part(" ~ day ~ ", '/', 3)) filter (where " ~ short ~ ")") -%}
        {%- do measures.append("max(" ~ value ~ ") filter (where " ~ short ~ ")") -%}
        {%- do measures.append("count(distinct split_part(" ~ day ~ ", '/', 2)) filter (where " ~ short ~ ")") -%}
    {%- endfor -%}
    {%- set row = run_query("select " ~ measures | join(", ") ~ " from " ~ reader['sql']).rows[0] -%}
    {%- for column in date_columns -%}
        {%- set at = 6 * loop.index0 -%}
        {%- set count = row[at] -%}
        {%- if count > 0 -%}
            {{ exceptions.raise_compiler_error(contract_error(
                reader['path'], table_name,
                "has " ~ count ~ " value(s) in column '" ~ column ~ "' that can only be " ~ wrong['found'] ~ ", such as '" ~ row[at + 1] ~ "'" ~ (", although var date_order is month_first" if reading == 'month_first' else ""),
                wrong['expected'],
                wrong['detail']
            )) }}
        {%- endif -%}
        {#- A two-digit year takes few values (the years the file covers); a day takes up to
            31, a month 12. Short dates whose last number takes more than 12 values while
            their first and middle take at most 12 are written year first ("24/01/31",
            YY/MM/DD), which parse_date would read as 24 January 2031: the run stops rather
            than misread them. A month-first file covering more than 12 years ("01/31/09" to
            "12/05/24") has its days in the middle, which take more than 12 values. -#}
        {%- if row[at + 3] > 12 and row[at + 2] <= 12 and row[at + 5] <= 12 -%}
            {{ exceptions.raise_compiler_error(contract_error(
                reader['path'], table_name,
                "has short dates in column '" ~ column ~ "' whose last number takes " ~ row[at + 3] ~ " values and whose first takes " ~ row[at + 2] ~ ", such as '" ~ row[at + 4] ~ "': a two-digit year takes few values and a day many, so they look year-first (YY/MM/DD), which the contract does not read",
                "dates as YYYY-MM-DD, or short dates DD/MM/YY (MM/DD/YY with var date_order: month_first)",
                "Convert the column to YYYY-MM-DD. Nothing was built."
            )) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{#- "Input contract violated: <file> (table '<table>') <problem>. Expected <expected>. <detail>" -#}
{% macro contract_error(path, table_name, problem, expected, detail='') -%}
    {{ return("Input contract violated: " ~ path ~ " (table '" ~ table_name ~ "') " ~ problem
        ~ ". Expected " ~ expected ~ "." ~ (" " ~ detail if detail else "")) }}
{%- endmacro %}


{#- Finds <data_dir>/<table>.parquet or .csv (or .csv.gz) and checks that it is what its name
    says (customer_behavior.preflight.inspect_file, a SQL function registered by the
    profile's plugin): not empty, not an image or a spreadsheet, a header line, which
    delimiter. Returns the file, its format, the DuckDB reader expression and, per column
    (lower-case, spaces as underscores), the expression that reads it. A CSV is read with
    the dialect found here, not DuckDB's sniffer, and every column as text, so that staging
    decides what parses. -#}
{% macro contract_file_reader(data_dir, table_name, optional) %}
    {#- Only the table's own names are read (orders.csv, .csv.gz, .tsv, .txt or .parquet, any
        case); another file beginning with the name (orders.backup.csv) is never taken for
        it, and two of the own names (orders.csv beside orders.parquet) stop the run: which
        one is meant would be a guess. -#}
    {%- set own_names = [] -%}
    {%- for extension in ['.parquet', '.csv', '.csv.gz', '.tsv', '.txt'] -%}
        {%- do own_names.append(table_name ~ extension) -%}
    {%- endfor -%}
    {%- set found = [] -%}
    {%- set matches = [] -%}
    {%- for file in data_dir_files(data_dir) -%}
        {%- set name = file.split('/')[-1].lower() -%}
        {%- if name in own_names -%}
            {%- do matches.append(file) -%}
        {%- elif name.startswith(table_name ~ '.') -%}
            {%- do found.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set parquet = [] -%}
    {%- for file in matches if file.lower().endswith('.parquet') -%}
        {%- do parquet.append(file) -%}
    {%- endfor -%}
    {%- if matches | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Input contract violated: DATA_DIR " ~ data_dir ~ " has more than one file for table '"
            ~ table_name ~ "': " ~ matches | join(', ') ~ ". Expected one of " ~ own_names | join(', ')
            ~ ". Remove or rename the others; nothing was built."
        ) }}
    {%- elif matches | length == 1 -%}
        {%- set path = matches[0] -%}
        {%- if found -%}
            {{ log("Note: " ~ found | join(', ') ~ " not read: only " ~ own_names | join(', ') ~ " are read for table '" ~ table_name ~ "'.", info=true) }}
        {%- endif -%}
    {%- elif optional and found | length == 0 -%}
        {{ log("Note: no " ~ table_name ~ ".csv or .parquet in " ~ data_dir ~ "; it is optional, the models see it empty.", info=true) }}
        {{ return(none) }}
    {%- else -%}
        {%- set spreadsheets = [] -%}
        {%- for file in found if modules.re.search('[.](xlsx|xlsm|xls|ods|numbers)$', file.lower()) -%}
            {%- do spreadsheets.append(file) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Input contract violated: no file for " ~ ("optional" if optional else "required")
            ~ " table '" ~ table_name ~ "' in DATA_DIR " ~ data_dir ~ ". Expected " ~ table_name
            ~ ".csv (or .csv.gz) or " ~ table_name ~ ".parquet"
            ~ (" (found: " ~ found | join(', ') ~ ")" if found else "") ~ "."
            ~ (" Spreadsheets are not read: save the sheet as 'CSV UTF-8' or Parquet." if spreadsheets else "")
            ~ (" Rename or remove the other files named " ~ table_name ~ ".*." if optional and found else "")
        ) }}
    {%- endif -%}
    {%- set quoted_path = "'" ~ path | replace("'", "''") ~ "'" -%}
    {%- if not plugin_function_exists('customer_behavior_inspect_file') -%}
        {#- Without the profile's plugin (a hand-made profiles.yml): DuckDB's own checks only. -#}
        {{ log("Note: the customer_behavior.preflight plugin is not in the profile; " ~ path ~ " is read without the file checks.", info=true) }}
        {%- set sql = "read_parquet(" ~ quoted_path ~ ")" if path in parquet
            else "read_csv(" ~ quoted_path ~ ", header = true, all_varchar = true)" -%}
        {%- set names = run_query('describe select * from ' ~ sql).columns[0].values() | list -%}
        {%- set column_sql = {} -%}
        {%- for name in names -%}
            {%- do column_sql.update({modules.re.sub('[\\s-]+', '_', name.strip().lower()): adapter.quote(name)}) -%}
        {%- endfor -%}
        {{ return({'path': path, 'format': 'unchecked', 'sql': sql, 'column_sql': column_sql}) }}
    {%- endif -%}
    {%- set inspected = fromjson(run_query(
        "select customer_behavior_inspect_file(" ~ quoted_path ~ ")"
    ).columns[0].values()[0]) -%}
    {%- if not inspected['ok'] -%}
        {{ exceptions.raise_compiler_error(contract_error(path, table_name, inspected['problem'], inspected['expected'])) }}
    {%- endif -%}
    {%- for note in inspected['notes'] -%}
        {{ log("Note: " ~ path ~ ": " ~ note ~ ".", info=true) }}
    {%- endfor -%}
    {%- set column_sql = {} -%}
    {%- if inspected['format'] == 'parquet' -%}
        {%- set described = run_query("describe select * from read_parquet(" ~ quoted_path ~ ")") -%}
        {%- set column_types = {} -%}
        {%- set headers = [] -%}
        {%- for row in described.rows -%}
            {%- set clean = modules.re.sub('[\\s-]+', '_', row[0].strip().lower()) -%}
            {%- do headers.append((row[0], clean)) -%}
            {%- do column_sql.update({clean: adapter.quote(row[0])}) -%}
            {%- do column_types.update({clean: row[1]}) -%}
        {%- endfor -%}
        {#- Parquet reads only the contract's columns: other names may repeat (a CSV reads
            every column, so there any repeat stops the run). -#}
        {%- do contract_check_unique_columns(path, table_name, headers,
            contract_tables()[table_name]['columns']) -%}
        {#- The file's own row numbers: no window over the whole table to number it. -#}
        {%- set sql = "read_parquet(" ~ quoted_path ~ ", file_row_number = true)" -%}
        {{ return({'path': path, 'format': 'parquet', 'sql': sql, 'column_sql': column_sql,
                   'column_types': column_types}) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- set headers = [] -%}
    {%- for name in inspected['columns'] -%}
        {%- set clean = modules.re.sub('[\\s-]+', '_', name) -%}
        {%- do names.append(clean) -%}
        {%- do headers.append((name, clean)) -%}
        {%- do column_sql.update({clean: adapter.quote(clean)}) -%}
    {%- endfor -%}
    {%- do contract_check_unique_columns(path, table_name, headers) -%}
    {{ return({
        'path': path, 'format': 'csv', 'quoted_path': quoted_path, 'columns': names,
        'delimiter': inspected['delimiter'], 'encoding': 'utf-8', 'column_sql': column_sql,
        'sql': contract_read_csv(quoted_path, names, inspected['delimiter'], 'utf-8'),
    }) }}
{% endmacro %}


{#- The header's column names (lower-case, spaces as underscores), in file order. -#}
{% macro contract_file_columns(reader) %}
    {{ return(reader['column_sql'].keys() | list) }}
{% endmacro %}


{#- read_csv with a fixed dialect and every column as text: no sniffing, so a build reads a
    file the same way every time and a strange line further down cannot change the types. -#}
{% macro contract_read_csv(quoted_path, names, delimiter, encoding, extra='') -%}
    {%- set columns = [] -%}
    {%- for name in names -%}
        {%- do columns.append("'" ~ name | replace("'", "''") ~ "': 'VARCHAR'") -%}
    {%- endfor -%}
    {{ return("read_csv(" ~ quoted_path ~ ", columns = {" ~ columns | join(', ') ~ "}, header = true, "
        ~ "auto_detect = false, delim = '" ~ ('\\t' if delimiter == '\t' else delimiter | replace("'", "''"))
        ~ "', quote = '\"', escape = '\"', encoding = '" ~ encoding ~ "'" ~ extra ~ ")") }}
{%- endmacro %}


{#- Reads a whole CSV file once before any model runs, with DuckDB's rejects tables
    collecting the lines it cannot read instead of failing on the first: a line with more or
    fewer fields than the header, an unclosed quote, a line over 2 MB, text that is not
    UTF-8. A file that is not UTF-8 but is pure Latin-1 (checked byte by byte by
    customer_behavior.preflight.csv_encoding) is read as Latin-1 with a note; var
    csv_encoding ('auto', 'utf-8' or 'latin-1') overrides that. Any other unreadable line
    stops the run with the file, the line, the column and what was expected: a structurally
    broken line cannot be split into trustworthy fields. A required table whose file has a
    header but no rows stops the run too. Returns the reader with its encoding and row count. -#}
{% macro contract_csv_scan(reader, table_name, spec) %}
    {%- set wanted = var('csv_encoding', 'auto') | string | lower | replace('_', '-') -%}
    {%- if wanted not in ['auto', 'utf-8', 'utf8', 'latin-1', 'latin1', 'iso-8859-1'] -%}
        {{ exceptions.raise_compiler_error("var csv_encoding = '" ~ wanted ~ "': expected auto, utf-8 or latin-1.") }}
    {%- endif -%}
    {%- set encoding = 'latin-1' if wanted in ['latin-1', 'latin1', 'iso-8859-1'] else 'utf-8' -%}
    {%- set scan = contract_csv_scan_once(reader, encoding) -%}
    {%- set error_types = scan['errors'] | map(attribute='error_type') | unique | list -%}
    {%- if error_types == ['INVALID ENCODING'] and wanted == 'auto' -%}
        {%- set decision = fromjson(run_query(
            "select customer_behavior_csv_encoding(" ~ reader['quoted_path'] ~ ")"
        ).columns[0].values()[0]) -%}
        {%- if decision['encoding'] == 'latin-1' -%}
            {{ log("Note: " ~ reader['path'] ~ " is not UTF-8 (line " ~ decision['first_non_utf8_line']
                ~ "); every byte fits Latin-1 (ISO-8859-1), so it is read as Latin-1. Set the dbt var csv_encoding to choose.", info=true) }}
            {%- set encoding = 'latin-1' -%}
            {%- set scan = contract_csv_scan_once(reader, encoding) -%}
        {%- elif decision['encoding'] != 'utf-8' -%}
            {{ exceptions.raise_compiler_error(contract_error(reader['path'], table_name, decision['problem'], decision['expected'])) }}
        {%- endif -%}
    {%- endif -%}
    {%- if scan['errors'] | length > 0 -%}
        {%- set described = [] -%}
        {%- for error in scan['errors'][:5] -%}
            {%- do described.append(contract_scan_error_text(error, reader)) -%}
        {%- endfor -%}
        {%- set more = scan['bad_lines'] - (scan['errors'][:5] | length) -%}
        {{ exceptions.raise_compiler_error(contract_error(
            reader['path'], table_name,
            "has " ~ scan['bad_lines'] ~ (" or more" if scan['bad_lines'] >= 100 else "") ~ " line(s) that cannot be read as CSV: "
                ~ described | join('; ') ~ ("; and " ~ more ~ " more" if more > 0 else ""),
            "one record per line with the header's " ~ reader['columns'] | length ~ " fields ("
                ~ reader['columns'] | join(', ') ~ ") separated by '"
                ~ ('\\t' if reader['delimiter'] == '\t' else reader['delimiter']) ~ "', text in "
                ~ encoding | upper ~ ", a field containing the separator, a quote or a line break in double quotes",
            "Fix or remove those lines; nothing was built."
        )) }}
    {%- endif -%}
    {%- if scan['row_count'] == 0 and not spec['optional_table'] -%}
        {{ exceptions.raise_compiler_error(contract_error(
            reader['path'], table_name, "has a header but no data rows",
            "at least one " ~ ("customer" if table_name == 'customers' else "order line") ~ " under the header"
        )) }}
    {%- endif -%}
    {%- set sql = contract_read_csv(reader['quoted_path'], reader['columns'], reader['delimiter'], encoding) -%}
    {%- do reader.update({'encoding': encoding, 'row_count': scan['row_count'], 'sql': sql}) -%}
    {{ log("raw." ~ table_name ~ " reads " ~ reader['path'] ~ " (CSV, " ~ encoding ~ ", " ~ scan['row_count'] ~ " rows)", info=true) }}
    {{ return(reader) }}
{% endmacro %}


{#- One full read of a CSV file; returns the row count, the first error of each bad line
    (at most 100 lines are recorded) and how many bad lines were recorded. -#}
{% macro contract_csv_scan_once(reader, encoding) %}
    {%- do run_query("drop table if exists contract_scan_errors") -%}
    {%- do run_query("drop table if exists contract_scan_files") -%}
    {%- set read = contract_read_csv(reader['quoted_path'], reader['columns'], reader['delimiter'], encoding,
        ", store_rejects = true, rejects_table = 'contract_scan_errors', rejects_scan = 'contract_scan_files', rejects_limit = 100") -%}
    {%- set all_columns = [] -%}
    {%- for name in reader['columns'] -%}
        {%- do all_columns.append("coalesce(" ~ adapter.quote(name) ~ ", '')") -%}
    {%- endfor -%}
    {#- every column is used, so that every field is decoded and checked -#}
    {%- set row_count = run_query(
        "select count(*) as row_count, sum(length(concat(" ~ all_columns | join(', ') ~ "))) as n_chars from " ~ read
    ).columns[0].values()[0] -%}
    {%- set table = run_query(
        "select line, coalesce(column_name, '') as column_name, error_type, "
        ~ "left(regexp_replace(coalesce(csv_line, ''), '[^ -~]', '?', 'g'), 60) as snippet, "
        ~ "count(*) over () as n_errors "
        ~ "from (select *, row_number() over (partition by line order by column_idx) as nth "
        ~ "from contract_scan_errors) where nth = 1 order by line limit 5"
    ) -%}
    {%- set errors = [] -%}
    {%- for row in table.rows -%}
        {%- do errors.append({'line': row[0], 'column_name': row[1], 'error_type': row[2], 'snippet': row[3]}) -%}
    {%- endfor -%}
    {%- set bad_lines = table.rows[0][4] if table.rows | length > 0 else 0 -%}
    {{ return({'row_count': row_count, 'errors': errors, 'bad_lines': bad_lines}) }}
{% endmacro %}


{% macro contract_scan_error_text(error, reader) -%}
    {%- set what = {
        'TOO MANY COLUMNS': "has more fields than the header's " ~ reader['columns'] | length,
        'MISSING COLUMNS': "has fewer fields than the header's " ~ reader['columns'] | length,
        'UNQUOTED VALUE': "has a double quote that is not closed properly",
        'LINE SIZE OVER MAXIMUM': "is longer than 2,097,152 bytes (2 MB)",
        'INVALID ENCODING': "is not valid UTF-8 text",
        'INVALID STATE': "cannot be split into fields",
    }.get(error['error_type'], error['error_type'] | lower) -%}
    {{ return("line " ~ error['line'] ~ (" (column '" ~ error['column_name'] ~ "')" if error['column_name'] else "")
        ~ " " ~ what ~ (": " ~ error['snippet'] if error['snippet'] else "")) }}
{%- endmacro %}


{#- source('contract', table), plus a dependency on the demo seed when the demo data is in
    use, so that `dbt build` loads raw.<table> before staging reads it. -#}
{% macro contract_source(table_name) -%}
    {%- if var('data_dir', '') == '' -%}
        {%- set _seed = ref('demo_' ~ table_name) -%}
    {%- endif -%}
    {{ source('contract', table_name) }}
{%- endmacro %}


{#- How a contract file writes its numbers (contract_number_style): 'point' (the contract's
    own format, "1,234.50"), 'decimal_comma' ("1.234,50", as semicolon-separated exports
    from European locales write them), 'mixed' (both kinds in one file) or 'undecided'.
    Decided from the file's own number columns (text, not typed Parquet), once per file
    while the staging model compiles, by the values that only one style explains:
    - a decimal comma (contract_decimal_comma_pattern: "12,50", "1.234,50", "1 234,50 €")
      or dots between more than one group of thousands (contract_dot_thousands_pattern:
      "1.234.567", which a point file cannot write);
    - a decimal point (contract_decimal_point_pattern: "20.00", "1,234.50", "1.5E+03",
      "0.125", ".125") or commas between more than one group ("1,234,567").
    Values of both kinds: 'mixed'; of one kind: that style. Neither: a file whose dotted
    values are all one group of thousands or three decimals ("1.234", "12.500";
    contract_ambiguous_dot_pattern) cannot be told apart, and is read in var number_style
    when that says 'point' or 'decimal_comma'; without it the file is 'undecided': those
    values and "1,234" are not read (ambiguous_<column>), and the log names the file, each
    column with an example, and the var. A file with no such value either is 'point' (its
    numbers read alike in both styles, "1,234" aside, which the contract reads as 1234).
    Until 2026-12-07 a decimal-comma file whose numbers were all whole ("1.234", never
    "12,50") was called 'point' and its "1.234" read as 1.234 without a word. A point file
    costs one read of those columns (testing only values with a comma or two dots) and the
    start of a second (to its first point value), so its staging SQL holds no
    decimal-comma step at all. Returns 'mixed', which reads each value by its own form,
    when the source cannot be read (while dbt parses, or in a unit test's fixture). -#}
{% macro contract_number_style(table_name, columns, source_types) %}
    {%- set text_columns = [] -%}
    {%- for column in columns
        if column in source_types and source_type_family(source_types[column]) == 'text' -%}
        {%- do text_columns.append(column) -%}
    {%- endfor -%}
    {%- set declared = contract_declared_number_style() -%}
    {#- no column types: the source could not be read (dbt's relation cache is not used: it
        was filled before on-run-start made the raw views) -#}
    {%- if not execute or not source_types -%}
        {{ return('mixed') }}
    {%- elif not text_columns -%}
        {{ return('point') }}
    {%- endif -%}
    {%- set relation = source('contract', table_name) -%}
    {%- set comma = [] -%}
    {%- set comma_example = [] -%}
    {%- set point = [] -%}
    {%- for column in text_columns -%}
        {%- set raw_text = 'cast(' ~ adapter.quote(column) ~ ' as varchar)' -%}
        {%- set value = 'trim(' ~ raw_text ~ ')' -%}
        {%- set test = "contains(" ~ raw_text ~ ", ',') and regexp_full_match(" ~ value ~ ", '"
            ~ contract_decimal_comma_pattern() ~ "') or contains(" ~ raw_text ~ ", '.') and "
            ~ "regexp_full_match(" ~ value ~ ", '" ~ contract_dot_thousands_pattern() ~ "')" -%}
        {%- do comma.append(test) -%}
        {%- do comma_example.append("case when " ~ test ~ " then '" ~ column ~ " ''' || " ~ value
            ~ " || '''' end") -%}
        {%- do point.append("(contains(" ~ raw_text ~ ", '.') or contains(" ~ raw_text ~ ", ','))"
            ~ " and regexp_matches(" ~ value ~ ", '" ~ contract_decimal_point_pattern() ~ "')") -%}
    {%- endfor -%}
    {#- the first value that shows a decimal comma or dot thousands, as "<column> '<value>'" -#}
    {%- set comma_rows = run_query(
        "select coalesce(" ~ comma_example | join(", ") ~ ") from " ~ relation
        ~ " where (" ~ comma | join(") or (") ~ ") limit 1"
    ).rows -%}
    {%- set has_comma = comma_rows | length > 0 -%}
    {%- set has_point = run_query(
        "select exists (select 1 from " ~ relation ~ " where (" ~ point | join(") or (") ~ "))"
    ).columns[0].values()[0] -%}
    {%- if has_comma and has_point -%}
        {{ log("Note: " ~ contract_file_label(table_name) ~ " writes some numbers with a decimal comma (12,50) and others with a decimal point (20.00): each is read by its own form, and a value that could be either (1.234, 1,234) is not read (ambiguous_<column>).", info=true) }}
        {{ return('mixed') }}
    {%- elif has_comma -%}
        {{ log("Note: " ~ contract_file_label(table_name) ~ " writes numbers with a decimal comma (12,50): a dot in them separates thousands (1.234 is 1234), as its " ~ comma_rows[0][0] ~ " shows.", info=true) }}
        {{ return('decimal_comma') }}
    {%- elif has_point -%}
        {{ return('point') }}
    {%- endif -%}
    {#- Nothing decides: look for values that either style reads, each its own way. -#}
    {%- set stats = [] -%}
    {%- for column in text_columns -%}
        {%- set value = 'trim(cast(' ~ adapter.quote(column) ~ ' as varchar))' -%}
        {%- set ambiguous = "regexp_full_match(" ~ value ~ ", '" ~ contract_ambiguous_dot_pattern() ~ "')" -%}
        {%- do stats.append("count(*) filter (where " ~ ambiguous ~ "), min(" ~ value
            ~ ") filter (where " ~ ambiguous ~ ")") -%}
    {%- endfor -%}
    {%- set row = run_query("select " ~ stats | join(", ") ~ " from " ~ relation).rows[0] -%}
    {%- set found = [] -%}
    {%- for column in text_columns -%}
        {%- set count = row[2 * loop.index0] -%}
        {%- if count > 0 -%}
            {%- do found.append(column ~ " '" ~ row[2 * loop.index0 + 1] ~ "' (" ~ count
                ~ " value" ~ ("s" if count > 1 else "") ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not found -%}
        {{ return('point') }}
    {%- elif declared != 'auto' -%}
        {{ log("Note: " ~ contract_file_label(table_name) ~ " writes no number that shows its style; read as var number_style says (" ~ declared ~ "): " ~ found | join(', ') ~ ".", info=true) }}
        {{ return(declared) }}
    {%- endif -%}
    {%- set fate = "set to NULL and flagged ambiguous_<column> in marts.quality_flags"
        if table_name == 'customers' else "rejected as ambiguous_<column> in marts.rejected_rows" -%}
    {{ log("Note: " ~ contract_file_label(table_name) ~ ": no number in it shows whether a dot is a decimal point or separates thousands, so values with one dot before three digits could be either (1.234 is 1.234 or 1234): " ~ found | join(', ') ~ ". They are not guessed: " ~ fate ~ ", as is a value such as 1,234. Say how the file writes its numbers with var number_style: decimal_comma (1.234 is 1234, 12,50 is twelve and a half) or point (1.234 is 1.234), e.g. make build DATA_DIR=... VARS='number_style: decimal_comma'.", info=true) }}
    {{ return('undecided') }}
{% endmacro %}


{#- var number_style: how to read a contract file whose numbers do not show their style
    (contract_number_style): 'auto' (the default: its ambiguous values are not read),
    'point' or 'decimal_comma'. A file whose values show their style is read so whatever
    the var says. Any other value stops the build, naming the var. -#}
{% macro contract_declared_number_style() -%}
    {%- set value = var('number_style', 'auto') | string | trim | lower -%}
    {%- if value not in ['auto', 'point', 'decimal_comma'] -%}
        {{ exceptions.raise_compiler_error(
            "var number_style must be auto (the default: a number that could be read either "
            ~ "way, such as 1.234, is not read), point (1.234 is 1.234) or decimal_comma "
            ~ "(1.234 is 1234), not '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- The file a contract table is read from, for messages: its path in var data_dir (the
    table's own names, as contract_file_reader finds them), else the raw relation. -#}
{% macro contract_file_label(table_name) -%}
    {%- if var('data_dir', '') != '' -%}
        {%- for file in data_dir_files(data_dir_path()) -%}
            {%- if file.split('/')[-1].lower() in [table_name ~ '.parquet', table_name ~ '.csv',
                    table_name ~ '.csv.gz', table_name ~ '.tsv', table_name ~ '.txt'] -%}
                {{ return(file) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(source('contract', table_name) | string) }}
{%- endmacro %}


{#- A value that can only be read with a decimal comma: a comma followed by one or two
    digits, with dots or spaces only as groups of three before it ("12,50", "1.234,50",
    "1 234,50", "€ 7,5"), or a comma after nothing or zeros ("0,125", ",5": a group of
    thousands is not a lone 0; the mirror of "0.125" in contract_decimal_point_pattern).
    A comma followed by exactly three digits after a group ("1,250") is not one. -#}
{% macro contract_decimal_comma_pattern() -%}
    [^0-9,.]*-?(([0-9]+|[0-9]{1,3}([.][0-9]{3})+|[0-9]{1,3}([ \x{00A0}\x{202F}][0-9]{3})+),[0-9]{1,2}|0*,[0-9]+)[^0-9,.]*
{%- endmacro %}


{#- A whole number with dots between more than one group of thousands ("1.234.567",
    "-1.234.567 €"), which only dot thousands explain: a decimal point comes once. The first
    group is 1-3 digits and not a lone 0 ("0.123.456" is no number). -#}
{% macro contract_dot_thousands_pattern() -%}
    [^0-9,.]*-?[1-9][0-9]{0,2}([.][0-9]{3}){2,}[^0-9,.]*
{%- endmacro %}


{#- A value with one dot before exactly three digits and a first group of 1-3 digits that
    is not a lone 0 ("1.234", "12.500", "€ 999.000"): 1.234 with a decimal point, 1234
    with dot thousands. "0.125" and ".125" are not: a group of thousands never starts with
    a lone 0 (contract_decimal_point_pattern). -#}
{% macro contract_ambiguous_dot_pattern() -%}
    [^0-9,.]*-?[1-9][0-9]{0,2}[.][0-9]{3}[^0-9,.]*
{%- endmacro %}


{#- A value that can only be read with a decimal point (regexp_matches, anywhere in it): a
    point followed by other than exactly three digits ("20.00", "12.", ".5", "1.5E+03"), a
    point after comma groups ("1,234.50"), three digits and an exponent ("1.234E+03"), a
    point after nothing or zeros ("0.125", ".125": a group of thousands is not a lone 0),
    or commas between more than one group of thousands ("1,234,567", which a decimal-comma
    file cannot write). A point followed by exactly three digits after a group ("1.234") is
    not one: a decimal-comma file separates thousands so. -#}
{% macro contract_decimal_point_pattern() -%}
    [.]([0-9]{1,2}|[0-9]{4,})?([^0-9]|$)|,[0-9]{3}[.]|[.][0-9]{3}[eE]|(^|[^0-9,.])0*[.][0-9]|[0-9],[0-9]{3},[0-9]{3}
{%- endmacro %}


{#- A number column's text as parse_money, parse_decimal and parse_integer read it (with a
    decimal point), given the file's style (contract_number_style). A point file's values
    are returned unchanged, without a test. Otherwise a value with a decimal comma
    (contract_decimal_comma_pattern) has its groups dropped and its comma made a point
    ("1.234,50" is 1234.50). In a decimal-comma file, dot groups without a decimal comma
    are thousands ("1.234", "12.345.678"); in a mixed file only several of them are
    ("1.234.567"), which nothing else explains. What could be either is not guessed: "1,234"
    in a decimal-comma, mixed or undecided file (1.234 in the decimal-comma style, 1234 in
    the contract's) and "1.234" in a mixed or undecided file are returned as "ambiguous:
    <text>", which no parser reads; staging rejects (or flags) their row as
    ambiguous_<column> (contract_ambiguous_columns), with the text kept, not missing and not
    misread. Until 2026-12-07 each value was read by its own form in every file, so a
    decimal-comma file's "1.234" was 1.234 (1.23 as money). -#}
{% macro contract_decimal_comma(column, source_type=none, style='mixed') -%}
    {%- if source_type_family(source_type) != 'text' or style == 'point' -%}
    {{ column }}
    {%- else -%}
    {%- set text = 'trim(cast(' ~ column ~ ' as varchar))' -%}
    {%- set dot_groups = "[^0-9,.]*-?[1-9][0-9]{0,2}([.][0-9]{3})+[^0-9,.]*" -%}
    {%- set comma_groups = "[^0-9,.]*-?[0-9]{1,3}(,[0-9]{3})+[^0-9,.]*" -%}
    {%- set one_comma_group = "[^0-9,.]*-?[0-9]{1,3},[0-9]{3}[^0-9,.]*" -%}
    case
        when not contains(cast({{ column }} as varchar), ',')
            and not contains(cast({{ column }} as varchar), '.')
            then cast({{ column }} as varchar)
        {%- if style != 'undecided' %}
        when regexp_full_match({{ text }}, '{{ contract_decimal_comma_pattern() }}')
            then replace(
                regexp_replace({{ text }}, '[. \x{00A0}\x{202F}]([0-9]{3})', '\1', 'g'), ',', '.'
            )
        {%- endif %}
        {%- if style == 'decimal_comma' %}
        when regexp_full_match({{ text }}, '{{ dot_groups }}') then replace({{ text }}, '.', '')
        when regexp_full_match({{ text }}, '{{ comma_groups }}') then 'ambiguous: ' || {{ text }}
        {%- else %}
        {%- if style == 'mixed' %}
        when regexp_full_match({{ text }}, '{{ contract_dot_thousands_pattern() }}')
            then replace({{ text }}, '.', '')
        {%- endif %}
        when regexp_full_match({{ text }}, '{{ contract_ambiguous_dot_pattern() }}|{{ one_comma_group }}')
            then 'ambiguous: ' || {{ text }}
        {%- endif %}
        else cast({{ column }} as varchar)
    end
    {%- endif -%}
{%- endmacro %}


{#- The columns among ``columns`` whose values contract_decimal_comma may return as
    "ambiguous: <text>" in a file of this style: the text ones, unless the file is 'point'.
    Staging gives each a flag is_ambiguous_<column> and a reason ambiguous_<column> only
    then, so the SQL of a point file or of typed Parquet columns is as it was. -#}
{% macro contract_ambiguous_columns(columns, source_types, style) -%}
    {%- set found = [] -%}
    {%- for column in columns
        if style != 'point' and source_type_family(source_types.get(column)) == 'text' -%}
        {%- do found.append(column) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- " and not is_ambiguous_<column>" when the column is among ``ambiguous``
    (contract_ambiguous_columns), else nothing: an ambiguous value is not also unparseable. -#}
{% macro contract_not_ambiguous(column, ambiguous) -%}
    {%- if column in ambiguous %} and not is_ambiguous_{{ column }}{% endif -%}
{%- endmacro %}


{#- For each column of ``ambiguous`` (contract_ambiguous_columns), a select item
    is_ambiguous_<column>, true when contract_decimal_comma returned its value as
    "ambiguous: <text>", each after a comma and on a line of its own; nothing for none. -#}
{% macro contract_ambiguous_flags(ambiguous) -%}
    {%- for column in ambiguous %},
        starts_with({{ column }}, 'ambiguous: ') as is_ambiguous_{{ column }}
    {%- endfor -%}
{%- endmacro %}


{#- The column types of a contract source as the build sees them ({column: type}, lower
    case), so that staging casts columns a Parquet file already stores typed instead of
    parsing their text (macros/cleaning.sql). Empty while dbt parses the project. -#}
{% macro contract_source_types(table_name) %}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set types = {} -%}
    {%- for column in adapter.get_columns_in_relation(source('contract', table_name)) -%}
        {%- do types.update({column.name | lower: column.dtype | lower}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{#- The source's row numbers: a Parquet file's own (raw.<table> exposes them as
    source_row_number, read with the file), or numbered here in read order (CSV, seeds). -#}
{% macro contract_numbered_source(table_name, source_types) -%}
    {%- if 'source_row_number' in source_types -%}
    select * from {{ contract_source(table_name) }}
    {%- else -%}
    select
        row_number() over () as source_row_number,
        source.*
    from {{ contract_source(table_name) }} as source
    {%- endif -%}
{%- endmacro %}
