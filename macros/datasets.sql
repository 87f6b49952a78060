{#- The public datasets of the source documents (../shared/data/README.md), each entering
    through its own staging adapter (models/staging/<dataset>/), chosen with var('dataset').
    One definition per dataset: where its file is, how to read it, which columns it must
    have, and what it can feed (its capabilities). The contract ('contract', the default) is
    the input contract of SPEC.md; its files are registered by macros/contract.sql. -#}


{#- Every dataset name var('dataset') accepts, with its capabilities.

    purchase_grain says what a purchase row is:
      order_lines          dated order lines (the contract): every order-based mart is fed;
      undated_order_lines  product lines with amounts and order counts but no dates (Diwali):
                           customer activity and category spend come from the lines, the
                           dated marts (orders, seasons, promotions by month …) stay empty;
      customer_summary     one row per customer with stated totals (spend per category,
                           purchases per channel, purchase frequency …): activity comes
                           from those totals.
    as_of says which date ages, recency and tenure are measured at when var('as_of_date') is
    not given (macros/as_of_date.sql): the latest order date, the latest sign-up date, or
    none (the data has no dates; ages are given as ages).
    has lists what the data carries; a mart that needs something missing is empty or
    partial for that dataset, and marts.dataset_coverage says which and why.
    files: per raw file (raw.<dataset>__<file>), its accepted names, how to read it and its
    required columns; rows_per_raw_row names the contract tables staging numbers from the
    file and how many rows each makes of one raw row (6 iFood campaign responses per
    customer row), and source_values lists the columns marts.rejected_rows and
    marts.quality_flags show of a raw row (macros/source_values.sql; the required columns
    when not given): the columns the adapter reads, never personal data. Not shown:
    Diwali's cust_name (personal data, it never leaves raw), status and unnamed1 (always
    blank); iFood's NumWebVisitsMonth,
    Complain, Z_CostContact and Z_Revenue; shopping trends' size and colour (not read). CDNOW's file
    has no header to name its fields: a row shows its line as read. A Diwali or CDNOW
    customer is numbered by, and shows, the customer's first line. -#}
{% macro dataset_registry() -%}
    {{ return({
        "contract": {
            "label": "Input contract (demo seeds or DATA_DIR)",
            "source_document": "",
            "purchase_grain": "order_lines",
            "as_of": "latest_order_date",
            "staging": ["customers", "orders", "campaign_responses"],
            "has": ["dated_order_lines", "product_ids", "categories", "channels", "channel_spend",
                    "campaigns", "income", "age", "gender", "marital_status", "education",
                    "occupation", "region", "state", "country", "children", "loyalty_score",
                    "loyalty_membership", "purchase_frequency", "discounts", "recency",
                    "signup_date"],
            "order_line_key_columns": [],
            "files": {},
        },
        "customer_purchasing_behaviors": {
            "label": "Customer Purchasing Behaviors (Kaggle hanaksoy/customer-purchasing-behaviors)",
            "source_document": "000",
            "purchase_grain": "customer_summary",
            "as_of": "none",
            "staging": ["customers", "customer_activity"],
            "has": ["income", "age", "region", "loyalty_score", "purchase_frequency"],
            "order_line_key_columns": [],
            "files": {
                "customers": {
                    "names": ["Customer Purchasing Behaviors.csv"],
                    "delimiter": ",",
                    "required": ["user_id", "age", "annual_income", "purchase_amount",
                                 "loyalty_score", "region", "purchase_frequency"],
                    "rows_per_raw_row": {"customers": 1},
                },
            },
        },
        "diwali_sales": {
            "label": "Diwali Sales (Kaggle saadharoon27/diwali-sales-dataset)",
            "source_document": "001",
            "purchase_grain": "undated_order_lines",
            "as_of": "none",
            "staging": ["customers", "orders"],
            "has": ["product_ids", "categories", "age", "gender", "marital_status", "occupation",
                    "region", "state", "line_demographics"],
            "order_line_key_columns": ["stated_order_count", "line_gender", "line_age",
                                       "line_marital_status", "line_state", "line_region",
                                       "line_occupation"],
            "files": {
                "sales": {
                    "names": ["Diwali Sales Data.csv"],
                    "delimiter": ",",
                    "required": ["user_id", "product_id", "gender", "age_group", "age",
                                 "marital_status", "state", "zone", "occupation",
                                 "product_category", "orders", "amount"],
                    "rows_per_raw_row": {"customers": 1, "orders": 1},
                },
            },
        },
        "marketing_analytics": {
            "label": "Marketing Analytics / iFood (Kaggle jackdaoud/marketing-data)",
            "source_document": "002",
            "purchase_grain": "customer_summary",
            "as_of": "latest_signup_date",
            "staging": ["customers", "customer_activity", "category_spend", "channel_purchases",
                        "campaign_responses"],
            "has": ["categories", "channels", "campaigns", "income", "age", "marital_status",
                    "education", "country", "children", "discounts", "recency", "signup_date"],
            "order_line_key_columns": [],
            "files": {
                "marketing_data": {
                    "names": ["marketing_data.csv"],
                    "delimiter": ",",
                    "required": ["id", "year_birth", "education", "marital_status", "income",
                                 "kidhome", "teenhome", "dt_customer", "recency", "mntwines",
                                 "mntfruits", "mntmeatproducts", "mntfishproducts",
                                 "mntsweetproducts", "mntgoldprods", "numdealspurchases",
                                 "numwebpurchases", "numcatalogpurchases", "numstorepurchases",
                                 "acceptedcmp1", "acceptedcmp2", "acceptedcmp3", "acceptedcmp4",
                                 "acceptedcmp5", "response", "country"],
                    "rows_per_raw_row": {"customers": 1,
                                         "campaign_responses": ifood_campaigns() | length},
                },
            },
        },
        "shopping_trends": {
            "label": "Customer Shopping Trends (Kaggle iamsouravbanerjee/customer-shopping-trends-dataset)",
            "source_document": "003",
            "purchase_grain": "customer_summary",
            "as_of": "none",
            "staging": ["customers", "customer_activity", "category_spend", "stated_purchases"],
            "has": ["categories", "age", "gender", "state", "loyalty_membership",
                    "purchase_frequency", "discounts", "stated_purchases"],
            "order_line_key_columns": [],
            "files": {
                "purchases": {
                    "names": ["shopping_trends_updated.csv", "shopping_trends.csv"],
                    "delimiter": ",",
                    "required": ["customer_id", "age", "gender", "item_purchased", "category",
                                 "purchase_amount_usd", "location", "season", "review_rating",
                                 "subscription_status", "shipping_type", "discount_applied",
                                 "promo_code_used", "previous_purchases", "payment_method",
                                 "frequency_of_purchases"],
                    "rows_per_raw_row": {"customers": 1},
                },
            },
        },
        "cdnow": {
            "label": "CDNOW transaction log, 1/10th sample (Fader, Hardie & Lee 2005; as shipped in lifetimes 0.11.3)",
            "source_document": "",
            "purchase_grain": "order_lines",
            "as_of": "latest_order_date",
            "staging": ["customers", "orders"],
            "has": ["dated_order_lines", "purchase_frequency", "recency"],
            "order_line_key_columns": [],
            "files": {
                "purchases": {
                    "names": ["CDNOW_sample.txt"],
                    "format": "whitespace",
                    "required": [],
                    "rows_per_raw_row": {"customers": 1, "orders": 1},
                    "source_values": ["line"],
                },
            },
        },
        "customer_personality": {
            "label": "Customer Personality Analysis / iFood (Kaggle imakash3011/customer-personality-analysis)",
            "source_document": "004",
            "purchase_grain": "customer_summary",
            "as_of": "latest_signup_date",
            "staging": ["customers", "customer_activity", "category_spend", "channel_purchases",
                        "campaign_responses"],
            "has": ["categories", "channels", "campaigns", "income", "age", "marital_status",
                    "education", "children", "discounts", "recency", "signup_date"],
            "order_line_key_columns": [],
            "files": {
                "marketing_campaign": {
                    "names": ["marketing_campaign.csv"],
                    "delimiter": "\t",
                    "required": ["id", "year_birth", "education", "marital_status", "income",
                                 "kidhome", "teenhome", "dt_customer", "recency", "mntwines",
                                 "mntfruits", "mntmeatproducts", "mntfishproducts",
                                 "mntsweetproducts", "mntgoldprods", "numdealspurchases",
                                 "numwebpurchases", "numcatalogpurchases", "numstorepurchases",
                                 "acceptedcmp1", "acceptedcmp2", "acceptedcmp3", "acceptedcmp4",
                                 "acceptedcmp5", "response"],
                    "rows_per_raw_row": {"customers": 1,
                                         "campaign_responses": ifood_campaigns() | length},
                },
            },
        },
    }) }}
{%- endmacro %}


{#- What each capability means, for the coverage mart and the docs. -#}
{% macro capability_descriptions() -%}
    {{ return({
        "dated_order_lines": "order lines with an order date",
        "product_ids": "product ids",
        "categories": "spend per product category",
        "channels": "purchases per sales channel",
        "channel_spend": "spend per sales channel",
        "campaigns": "campaign responses",
        "income": "annual income",
        "age": "age or birth year",
        "gender": "gender",
        "marital_status": "marital status",
        "education": "education",
        "occupation": "occupation",
        "region": "sales region or zone",
        "state": "state",
        "country": "country",
        "children": "children at home",
        "loyalty_score": "a loyalty score",
        "loyalty_membership": "loyalty-programme membership",
        "purchase_frequency": "a purchase frequency (purchases per year)",
        "discounts": "discounted purchases",
        "recency": "days since the last purchase",
        "signup_date": "a sign-up date",
        "line_demographics": "the buyer's demographics stated on each purchase row",
        "stated_purchases": "undated purchases with a stated season and promotion flags",
    }) }}
{%- endmacro %}


{#- "a, b and c" for a list of capability keys. -#}
{% macro describe_capabilities(capabilities) -%}
    {%- set described = capability_descriptions() -%}
    {%- set words = [] -%}
    {%- for capability in capabilities -%}
        {%- do words.append(described.get(capability, capability)) -%}
    {%- endfor -%}
    {%- if words | length > 1 -%}
        {{ return(words[:-1] | join(', ') ~ ' and ' ~ words[-1]) }}
    {%- else -%}
        {{ return(words | join('')) }}
    {%- endif -%}
{%- endmacro %}


{#- The selected dataset's definition; an unknown name stops the run and lists the valid ones. -#}
{% macro dataset_capabilities(dataset=none) -%}
    {%- set name = dataset if dataset is not none else var('dataset', 'contract') -%}
    {%- set registry = dataset_registry() -%}
    {%- if name not in registry -%}
        {{ exceptions.raise_compiler_error(
            "Unknown dataset '" ~ name ~ "' (var dataset / make DATASET=). Known datasets: "
            ~ registry.keys() | list | join(', ') ~ "."
        ) }}
    {%- endif -%}
    {{ return(registry[name]) }}
{%- endmacro %}


{% macro dataset_has(capability) -%}
    {{ return(capability in dataset_capabilities()['has']) }}
{%- endmacro %}


{#- The columns (and types) of each canonical staging entity. Every adapter's
    stg_<dataset>__<entity> has exactly these columns first, in this order; an entity a
    dataset does not provide is this column list with no rows (staging_ref). -#}
{% macro canonical_staging_columns() -%}
    {{ return({
        "customers": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"), ("birth_year", "bigint"),
            ("age_reported", "bigint"), ("gender", "varchar"), ("marital_status", "varchar"),
            ("education", "varchar"), ("occupation", "varchar"), ("annual_income", "decimal(18, 2)"),
            ("kids_at_home", "bigint"), ("teens_at_home", "bigint"), ("region", "varchar"),
            ("state", "varchar"), ("country", "varchar"), ("is_loyalty_member", "boolean"),
            ("loyalty_score", "double"), ("signup_date", "date"), ("rejection_reason", "varchar"),
            ("quality_flags", "varchar"),
        ],
        "orders": [
            ("source_row_number", "bigint"), ("order_id", "varchar"), ("customer_id", "varchar"),
            ("channel", "varchar"), ("product_id", "varchar"), ("product_category", "varchar"),
            ("promo_code", "varchar"), ("quantity", "bigint"), ("amount", "decimal(18, 2)"),
            ("discount_amount", "decimal(18, 2)"), ("order_date", "date"),
            ("rejection_reason", "varchar"),
        ],
        "campaign_responses": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"), ("campaign_id", "varchar"),
            ("is_accepted", "boolean"), ("sent_date", "date"), ("rejection_reason", "varchar"),
            ("quality_flags", "varchar"),
        ],
        "customer_activity": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"), ("order_count", "bigint"),
            ("order_line_count", "bigint"), ("total_quantity", "bigint"),
            ("total_spend", "decimal(18, 2)"), ("total_discount", "decimal(18, 2)"),
            ("discounted_order_count", "bigint"), ("purchase_day_count", "bigint"),
            ("purchase_frequency_per_year", "double"), ("recency_days", "bigint"),
            ("is_repeat_customer", "boolean"),
        ],
        "category_spend": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"),
            ("product_category", "varchar"), ("order_line_count", "bigint"), ("quantity", "bigint"),
            ("spend", "decimal(18, 2)"),
        ],
        "channel_purchases": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"), ("channel", "varchar"),
            ("order_count", "bigint"), ("spend", "decimal(18, 2)"),
        ],
        "stated_purchases": [
            ("source_row_number", "bigint"), ("customer_id", "varchar"),
            ("product_name", "varchar"), ("product_category", "varchar"),
            ("amount", "decimal(18, 2)"), ("season", "varchar"), ("is_discounted", "boolean"),
            ("used_promo_code", "boolean"), ("payment_method", "varchar"),
            ("shipping_type", "varchar"), ("review_rating", "double"),
        ],
    }) }}
{%- endmacro %}


{#- ref() of the selected dataset's staging model for a canonical entity
    (staging_ref('customers') → ref('stg_<dataset>__customers')), or, when the dataset does
    not provide that entity, an empty relation with the entity's canonical columns. -#}
{% macro staging_ref(entity) -%}
    {%- set spec = dataset_capabilities() -%}
    {%- set columns = canonical_staging_columns() -%}
    {%- if entity not in columns -%}
        {{ exceptions.raise_compiler_error("staging_ref: unknown entity '" ~ entity ~ "'; known: " ~ columns.keys() | list | join(', ')) }}
    {%- endif -%}
    {%- if entity in spec['staging'] -%}
        {{ ref('stg_' ~ var('dataset', 'contract') ~ '__' ~ entity) }}
    {%- else -%}
        {%- set select_list = [] -%}
        {%- for column, data_type in columns[entity] -%}
            {%- do select_list.append('cast(null as ' ~ data_type ~ ') as ' ~ column) -%}
        {%- endfor -%}
        (select {{ select_list | join(', ') }} where false)
    {%- endif -%}
{%- endmacro %}


{#- on-run-start (called from register_data_dir_sources): create raw.<dataset>__<file> as a
    view over the dataset's file in var('data_dir'), read in place. Every column is read as
    text (staging decides what parses); the header is normalised to snake_case (spaces,
    brackets and a byte-order mark removed: "Purchase Amount (USD)" → purchase_amount_usd,
    " Income " → income); the encoding is UTF-8 when the file is valid UTF-8, else Latin-1.
    A missing file or required column stops the run here, naming the file and the column. -#}
{% macro register_dataset_sources() %}
    {%- set dataset = var('dataset', 'contract') -%}
    {%- set spec = dataset_capabilities(dataset) -%}
    {%- if var('data_dir', '') == '' -%}
        {%- set wanted = [] -%}
        {%- for table_name, file_spec in spec['files'].items() -%}
            {%- do wanted.append(file_spec['names'] | join(' or ')) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Dataset '" ~ dataset ~ "' needs DATA_DIR (var data_dir): the folder holding "
            ~ wanted | join(', ') ~ ". Example: make build DATASET=" ~ dataset
            ~ " DATA_DIR=../shared/data/" ~ dataset
        ) }}
    {%- endif -%}
    {%- set data_dir = data_dir_path() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for table_name, file_spec in spec['files'].items() -%}
        {%- set path = dataset_file_path(data_dir, dataset, table_name, file_spec) -%}
        {%- set is_utf8 = run_query(
            "select try(decode(content)) is not null from read_blob(" ~ sql_literal(path) ~ ")"
        ).columns[0].values()[0] -%}
        {%- set encoding = 'utf-8' if is_utf8 else 'latin-1' -%}
        {%- set view_name = dataset ~ '__' ~ table_name -%}
        {%- if file_spec.get('format') == 'whitespace' -%}
            {#- No header; fields separated by runs of spaces or tabs (CDNOW). The view has one
                row per line of the file: the line as read and its fields, split in staging's
                terms (a blank line is a row with no fields, so every line is accounted for). -#}
            {%- set reader = "read_csv(" ~ sql_literal(path) ~ ", header = false, columns = {'line': 'varchar'}, "
                ~ "delim = chr(31), quote = '', escape = '', auto_detect = false, encoding = '"
                ~ encoding ~ "')" -%}
            {%- set select_sql = "select line, case when trim(coalesce(line, ''), chr(32) || chr(9) || chr(13)) = '' "
                ~ "then []::varchar[] else regexp_split_to_array(trim(line, chr(32) || chr(9) || chr(13)), '[ \\t]+') "
                ~ "end as fields from " ~ reader -%}
        {%- else -%}
        {%- set delimiter = '\\t' if file_spec['delimiter'] == '\t' else file_spec['delimiter'] -%}
        {%- set reader = "read_csv(" ~ sql_literal(path) ~ ", header = true, all_varchar = true, delim = '"
            ~ delimiter ~ "', quote = '\"', encoding = '" ~ encoding ~ "')" -%}
        {%- set raw_names = run_query('describe select * from ' ~ reader).columns[0].values() | list -%}
        {%- set select_list = [] -%}
        {%- set present = [] -%}
        {%- for raw_name in raw_names -%}
            {%- set clean = modules.re.sub('[^a-z0-9]+', '_', raw_name.replace('\ufeff', '').strip().lower()).strip('_') -%}
            {%- do present.append(clean) -%}
            {%- do select_list.append(adapter.quote(raw_name) ~ ' as ' ~ adapter.quote(clean)) -%}
        {%- endfor -%}
        {%- for column in file_spec['required'] -%}
            {%- if column not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Dataset '" ~ dataset ~ "': " ~ path ~ " has no column '" ~ column
                    ~ "' (header names are compared in snake_case). Required: "
                    ~ file_spec['required'] | join(', ') ~ ". Found: " ~ present | join(', ') ~ "."
                ) }}
            {%- endif -%}
        {%- endfor -%}
        {%- set select_sql = 'select ' ~ select_list | join(', ') ~ ' from ' ~ reader -%}
        {%- endif -%}
        {%- set existing = adapter.get_relation(database=target.database, schema='raw', identifier=view_name) -%}
        {%- if existing is not none and existing.type == 'table' -%}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif -%}
        {%- do run_query('create or replace view raw.' ~ view_name ~ ' as ' ~ select_sql) -%}
        {{ log("Dataset " ~ dataset ~ ": raw." ~ view_name ~ " reads " ~ path ~ " (" ~ encoding ~ ")", info=true) }}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- The first of the dataset's accepted file names found in data_dir. -#}
{% macro dataset_file_path(data_dir, dataset, table_name, file_spec) %}
    {%- set found = data_dir_files(data_dir) -%}
    {%- for name in file_spec['names'] -%}
        {%- set candidate = data_dir ~ '/' ~ name -%}
        {%- if candidate in found -%}
            {{ return(candidate) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "Dataset '" ~ dataset ~ "': no " ~ file_spec['names'] | join(' or ') ~ " in DATA_DIR "
        ~ data_dir ~ (" (found: " ~ found | join(', ') ~ ")" if found else " (the folder is empty)") ~ "."
    ) }}
{% endmacro %}


{#- Which marts need what (SPEC "What the marts must answer"), for marts.dataset_coverage.
    requires: without it the mart holds no data for the dataset (never filled with invented
    values); uses: without it the mart is built but partial (a grouping is 'unknown' or a
    measure NULL). requires_var: a dbt var that must be set for the mart to hold data.
    measure: an aggregate over the mart that is positive when it holds data
    (default count(*); marts that always list a fixed grid count what is in it). A test
    (tests/integration/test_public_datasets.py) checks every built dataset against this and
    fails for a mart that is missing here. -#}
{% macro mart_requirements() -%}
    {{ return({
        "customers": {"requires": [], "uses": ["income", "age", "gender", "region", "recency", "signup_date"]},
        "orders": {"requires": ["dated_order_lines"], "uses": ["channels", "discounts"]},
        "income_by_age_group": {"requires": [], "uses": ["income", "age"]},
        "purchase_frequency_by_region": {"requires": [], "uses": ["region", "purchase_frequency"]},
        "purchase_frequency_by_region_age_group": {"requires": [], "uses": ["region", "age", "purchase_frequency"]},
        "channel_product_spend": {"requires": ["dated_order_lines", "channels", "categories"], "uses": []},
        "customer_value_by_channel_mix": {"requires": ["channels"], "uses": []},
        "channel_usage": {"requires": ["channels"], "uses": ["channel_spend"]},
        "campaign_response": {"requires": ["campaigns"], "uses": []},
        "segment_monthly_sales": {"requires": ["dated_order_lines"], "uses": []},
        "category_demand": {"requires": ["categories"], "uses": ["dated_order_lines"]},
        "category_demand_by_segment": {"requires": ["categories"], "uses": []},
        "category_demand_by_region": {"requires": ["categories"], "uses": ["region"]},
        "category_demand_by_spend_decile": {"requires": ["categories"], "uses": []},
        "category_seasonal_demand": {"requires": ["dated_order_lines", "categories"], "uses": []},
        "category_holiday_demand": {"requires": ["dated_order_lines", "categories"], "uses": []},
        "demographic_spend": {"requires": [], "uses": ["gender", "marital_status", "education", "occupation", "state", "region", "age"]},
        "demographic_spend_by_order_line": {"requires": ["line_demographics"], "uses": []},
        "customer_demographics_distribution": {"requires": [], "uses": ["age", "income", "children", "marital_status", "education", "gender"]},
        "holiday_sales": {"requires": ["dated_order_lines"], "uses": []},
        "loyalty_membership_spend": {"requires": [], "uses": ["loyalty_membership"]},
        "loyalty_vs_spend": {"requires": [], "uses": ["loyalty_score", "age"]},
        "product_demand": {"requires": ["product_ids"], "uses": []},
        "product_demand_by_segment": {"requires": ["product_ids"], "uses": []},
        "promotion_impact": {"requires": ["dated_order_lines"], "uses": ["discounts"], "measure": "sum(order_count)"},
        "promotion_impact_by_month": {"requires": ["dated_order_lines"], "uses": ["discounts"]},
        "repeat_purchase": {"requires": [], "uses": ["dated_order_lines"]},
        "revenue_concentration": {"requires": [], "uses": []},
        "revenue_concentration_summary": {"requires": [], "uses": []},
        "sales_by_season": {"requires": ["dated_order_lines"], "uses": []},
        "stated_purchase_sales": {"requires": ["stated_purchases"], "uses": []},
        "category_demand_by_stated_season": {"requires": ["stated_purchases", "categories"], "uses": []},
        "seasonal_sales": {"requires": ["dated_order_lines"], "uses": []},
        "spend_by_age_group_and_gender": {"requires": [], "uses": ["age", "gender"]},
        "spend_by_loyalty_band": {"requires": [], "uses": ["loyalty_score"]},
        "hypothesis_tests": {"requires": [], "uses": ["dated_order_lines", "discounts", "loyalty_membership", "loyalty_score", "age", "purchase_frequency"]},
        "spend_drivers": {"requires": [], "uses": ["income", "age", "children"]},
        "customer_correlations": {"requires": [], "uses": ["income", "age", "children", "loyalty_score", "recency"]},
        "customer_lifetime_value": {"requires": ["dated_order_lines"], "uses": []},
        "segment_value": {"requires": ["dated_order_lines"], "uses": []},
        "lifetime_value_model": {"requires": ["dated_order_lines"], "uses": [], "measure": "max(n_customers)"},
        "lifetime_value_holdout": {"requires": ["dated_order_lines"], "uses": [],
                                   "requires_var": "lifetime_value_calibration_end"},
        "segment_features": {"requires": [], "uses": ["channel_spend", "categories", "income", "recency", "children"]},
        "segment_k_selection": {"requires": [], "uses": []},
        "segment_model": {"requires": [], "uses": []},
        "customer_segment_assignments": {"requires": [], "uses": []},
        "segment_assignments_sql": {"requires": [], "uses": []},
        "customer_segments": {"requires": [], "uses": []},
        "segment_profiles": {"requires": [], "uses": ["channels", "categories", "campaigns"]},
        "segment_stability": {"requires": [], "uses": []},
    }) }}
{%- endmacro %}


{#- Shopping trends' stated "Frequency of Purchases" as purchases per year; NULL for any other
    text (flagged unknown_purchase_frequency). Fortnightly and Bi-Weekly both mean every two
    weeks; Quarterly and Every 3 Months both mean four a year. -#}
{% macro shopping_trends_purchases_per_year(frequency_text) -%}
    case {{ frequency_text }}
        when 'weekly' then 52.0
        when 'bi-weekly' then 26.0
        when 'fortnightly' then 26.0
        when 'monthly' then 12.0
        when 'quarterly' then 4.0
        when 'every 3 months' then 4.0
        when 'annually' then 1.0
    end
{%- endmacro %}


{#- Shopping trends' stated Season onto the project's season names (macros/season_of.sql):
    "Fall" and "Autumn" are autumn; blank or any other text is 'unknown' (flagged
    unknown_season on the customer row). -#}
{% macro shopping_trends_season(season_text) -%}
    case {{ season_text }}
        when 'winter' then 'winter'
        when 'spring' then 'spring'
        when 'summer' then 'summer'
        when 'fall' then 'autumn'
        when 'autumn' then 'autumn'
        else 'unknown'
    end
{%- endmacro %}
