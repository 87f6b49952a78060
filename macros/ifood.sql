{#- The iFood marketing data (2,240 customers) is published twice: marketing_data.csv
    (source document 002: comma-separated, UTF-8 with a byte-order mark, " Income " header,
    income as "$84,835.00 ", Dt_Customer month-first in two formats "6/16/14" and
    "06/16/2014", a Country column) and marketing_campaign.csv (source document 004:
    tab-separated, plain income, Dt_Customer day-first "16-06-2014", no Country). Same ids,
    same values. Both staging adapters call these macros so that they cannot drift apart;
    each passes its source() and how its dates are written.

    One raw row = one customer with stated totals: spend per category over the last two
    years (Mnt*), purchases per channel (Num*Purchases), deal purchases, days since the last
    purchase (Recency), and accept flags for six campaigns. -#}


{#- The iFood spend columns and the canonical category each maps to. -#}
{% macro ifood_categories() -%}
    {{ return([
        ("mntwines", "wine"), ("mntfruits", "fruits"), ("mntmeatproducts", "meat"),
        ("mntfishproducts", "fish"), ("mntsweetproducts", "sweets"), ("mntgoldprods", "gold"),
    ]) }}
{%- endmacro %}

{% macro ifood_channels() -%}
    {{ return([
        ("numwebpurchases", "web"), ("numcatalogpurchases", "catalog"), ("numstorepurchases", "store"),
    ]) }}
{%- endmacro %}

{% macro ifood_campaigns() -%}
    {{ return([
        ("acceptedcmp1", "campaign_1"), ("acceptedcmp2", "campaign_2"), ("acceptedcmp3", "campaign_3"),
        ("acceptedcmp4", "campaign_4"), ("acceptedcmp5", "campaign_5"), ("response", "last_campaign"),
    ]) }}
{%- endmacro %}


{#- A date written in one of the given (regex, strptime format) forms; the regex decides the
    format, so "6/16/14" is never read with a four-digit-year format (year 14). NULL when no
    form matches or the date does not exist. -#}
{% macro parse_date_forms(column, forms) -%}
    case
    {%- for pattern, date_format in forms %}
        when regexp_full_match(trim({{ column }}), '{{ pattern }}')
            then cast(try_strptime(trim({{ column }}), '{{ date_format }}') as date)
    {%- endfor %}
    end
{%- endmacro %}


{#- Dt_Customer forms per file. marketing_data.csv: month first (its two-digit-year rows have
    days 13-31 in the second place, and every row equals marketing_campaign.csv's day-first
    date for the same customer). -#}
{% macro ifood_signup_date_forms(date_style) -%}
    {%- if date_style == 'month_first' -%}
        {{ return([
            ("[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}", "%m/%d/%y"),
            ("[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "%m/%d/%Y"),
        ]) }}
    {%- elif date_style == 'day_first' -%}
        {{ return([
            ("[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", "%d-%m-%Y"),
        ]) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("ifood_signup_date_forms: unknown date_style " ~ date_style) }}
    {%- endif -%}
{%- endmacro %}


{#- The typed columns every iFood entity starts from: one row per raw row. -#}
{% macro ifood_typed(source_relation, date_style, has_country) -%}
    select
        row_number() over () as source_row_number,
        nullif(trim(raw_rows.id), '') as customer_id,
        {{ parse_integer('raw_rows.year_birth') }} as birth_year_stated,
        {{ normalize_marital_status('raw_rows.marital_status') }} as marital_status,
        {{ is_known_marital_status('raw_rows.marital_status') }} as is_known_marital_status,
        {{ clean_text('raw_rows.marital_status') }} = 'alone' as is_marital_status_alone,
        coalesce({{ clean_text('raw_rows.education') }}, 'unknown') as education,
        {{ parse_money('raw_rows.income') }} as annual_income_stated,
        {{ clean_text('raw_rows.income') }} is not null as has_income_text,
        {{ parse_integer('raw_rows.kidhome') }} as kids_at_home_stated,
        {{ parse_integer('raw_rows.teenhome') }} as teens_at_home_stated,
        {% if has_country -%}
        coalesce({{ clean_text('raw_rows.country') }}, 'unknown') as country,
        {%- else -%}
        'unknown' as country,
        {%- endif %}
        {{ parse_date_forms('raw_rows.dt_customer', ifood_signup_date_forms(date_style)) }} as signup_date,
        {{ clean_text('raw_rows.dt_customer') }} is not null as has_signup_date_text,
        {{ parse_integer('raw_rows.recency') }} as recency_days,
        {%- for column, category in ifood_categories() %}
        {{ parse_money('raw_rows.' ~ column) }} as spend_{{ category }},
        {%- endfor %}
        {%- for column, channel in ifood_channels() %}
        {{ parse_integer('raw_rows.' ~ column) }} as purchases_{{ channel }},
        {%- endfor %}
        {%- for column, campaign in ifood_campaigns() %}
        {{ parse_boolean('raw_rows.' ~ column) }} as accepted_{{ campaign }},
        {%- endfor %}
        {{ parse_integer('raw_rows.numdealspurchases') }} as deal_purchases
    from {{ source_relation }} as raw_rows
{%- endmacro %}


{#- Why a raw row cannot be used as a customer: its key, or the totals that are its whole
    purchase record (a spend or purchase count that is blank, unreadable or negative). -#}
{% macro ifood_rejection_reason() -%}
    {%- set spend_unreadable = [] -%}
    {%- for column, category in ifood_categories() -%}
        {%- do spend_unreadable.append('spend_' ~ category ~ ' is null or spend_' ~ category ~ ' < 0') -%}
    {%- endfor -%}
    {%- set counts_unreadable = ['deal_purchases is null or deal_purchases < 0'] -%}
    {%- for column, channel in ifood_channels() -%}
        {%- do counts_unreadable.append('purchases_' ~ channel ~ ' is null or purchases_' ~ channel ~ ' < 0') -%}
    {%- endfor -%}
    {{ first_reason([
        ('customer_id is null', 'missing_customer_id'),
        ('(' ~ spend_unreadable | join(') or (') ~ ')', 'unreadable_category_spend'),
        ('(' ~ counts_unreadable | join(') or (') ~ ')', 'unreadable_purchase_counts'),
    ]) }}
{%- endmacro %}


{% macro ifood_total_spend() -%}
    {%- set parts = [] -%}
    {%- for column, category in ifood_categories() -%}
        {%- do parts.append('spend_' ~ category) -%}
    {%- endfor -%}
    ({{ parts | join(' + ') }})
{%- endmacro %}


{% macro ifood_purchase_count() -%}
    {%- set parts = [] -%}
    {%- for column, channel in ifood_channels() -%}
        {%- do parts.append('purchases_' ~ channel) -%}
    {%- endfor -%}
    ({{ parts | join(' + ') }})
{%- endmacro %}


{#- stg_<dataset>__customers for an iFood file. -#}
{% macro ifood_customers(source_relation, date_style, has_country) -%}
with

typed as (
    {{ ifood_typed(source_relation, date_style, has_country) }}
),

checked as (
    select
        *,
        -- Born before 1900, after sign-up, or over 100 at sign-up (1893, 1899 and 1900 in
        -- the published file, ages 113-121): not a real customer age.
        birth_year_stated is not null and (
            birth_year_stated < 1900
            or birth_year_stated > coalesce(year(signup_date), 9999)
            or birth_year_stated < coalesce(year(signup_date), 0) - 100
        ) as is_impossible_birth_year,
        annual_income_stated < 0 as is_negative_income,
        has_income_text and annual_income_stated is null as is_unparseable_income,
        has_signup_date_text and signup_date is null as is_unparseable_signup_date,
        {{ ifood_purchase_count() }} = 0 and {{ ifood_total_spend() }} > 0
            as has_spend_without_purchases,
        deal_purchases > {{ ifood_purchase_count() }} as has_more_deals_than_purchases
    from typed
),

final as (
    select
        source_row_number,
        customer_id,
        case when not is_impossible_birth_year then birth_year_stated end as birth_year,
        cast(null as bigint) as age_reported,
        'unknown' as gender,
        marital_status,
        education,
        'unknown' as occupation,
        case when not coalesce(is_negative_income, false) then annual_income_stated end
            as annual_income,
        case when kids_at_home_stated >= 0 then kids_at_home_stated end as kids_at_home,
        case when teens_at_home_stated >= 0 then teens_at_home_stated end as teens_at_home,
        'unknown' as region,
        'unknown' as state,
        country,
        cast(null as boolean) as is_loyalty_member,
        cast(null as double) as loyalty_score,
        signup_date,
        {{ ifood_rejection_reason() }} as rejection_reason,
        nullif(concat_ws(',',
            case when is_impossible_birth_year then 'impossible_birth_year' end,
            case when not is_known_marital_status then 'unknown_marital_status' end,
            case when is_marital_status_alone then 'marital_status_alone_read_as_single' end,
            case when is_negative_income then 'negative_income' end,
            case when is_unparseable_income then 'unparseable_income' end,
            case when is_unparseable_signup_date then 'unparseable_signup_date' end,
            case when has_spend_without_purchases then 'spend_without_purchases' end,
            case when has_more_deals_than_purchases then 'more_deal_purchases_than_purchases' end
        ), '') as quality_flags
    from checked
)

select * from final
{%- endmacro %}


{#- stg_<dataset>__customer_activity: the totals the row states. Purchases = web + catalog +
    store purchases (deal purchases are a subset, not a channel); spend = the six category
    amounts. The file does not say over how long the purchases were counted, so purchases per
    year stay NULL rather than being guessed. -#}
{% macro ifood_customer_activity(source_relation, date_style, has_country) -%}
with

typed as (
    {{ ifood_typed(source_relation, date_style, has_country) }}
),

final as (
    select
        source_row_number,
        customer_id,
        {{ ifood_purchase_count() }} as order_count,
        cast(null as bigint) as order_line_count,
        cast(null as bigint) as total_quantity,
        cast({{ ifood_total_spend() }} as decimal(18, 2)) as total_spend,
        cast(null as decimal(18, 2)) as total_discount,
        deal_purchases as discounted_order_count,
        cast(null as bigint) as purchase_day_count,
        cast(null as double) as purchase_frequency_per_year,
        recency_days,
        {{ ifood_purchase_count() }} > 1 as is_repeat_customer
    from typed
)

select * from final
{%- endmacro %}


{#- stg_<dataset>__category_spend: one row per raw row and category with a positive amount. -#}
{% macro ifood_category_spend(source_relation, date_style, has_country) -%}
with

typed as (
    {{ ifood_typed(source_relation, date_style, has_country) }}
),

unpivoted as (
    {{ ifood_stacked(ifood_categories(), 'spend_', 'product_category', 'spend') }}
),

final as (
    select
        source_row_number,
        customer_id,
        product_category,
        cast(null as bigint) as order_line_count,
        cast(null as bigint) as quantity,
        cast(spend as decimal(18, 2)) as spend
    from unpivoted
    where spend > 0
)

select * from final
{%- endmacro %}


{#- stg_<dataset>__channel_purchases: one row per raw row and channel used. The file counts
    purchases per channel but does not split spend by channel: spend is NULL. -#}
{% macro ifood_channel_purchases(source_relation, date_style, has_country) -%}
with

typed as (
    {{ ifood_typed(source_relation, date_style, has_country) }}
),

unpivoted as (
    {{ ifood_stacked(ifood_channels(), 'purchases_', 'channel', 'order_count') }}
),

final as (
    select
        source_row_number,
        customer_id,
        channel,
        order_count,
        cast(null as decimal(18, 2)) as spend
    from unpivoted
    where order_count > 0
)

select * from final
{%- endmacro %}


{#- stg_<dataset>__campaign_responses: one row per raw row and campaign (six offers; every
    customer in the file was offered each, the flag says whether they accepted).
    source_row_number numbers these unpivoted rows (raw row × campaign). -#}
{% macro ifood_campaign_responses(source_relation, date_style, has_country) -%}
with

typed as (
    {{ ifood_typed(source_relation, date_style, has_country) }}
),

unpivoted as (
    {%- for column, campaign in ifood_campaigns() %}
    select
        source_row_number as customer_row_number,
        {{ loop.index }} as campaign_order,
        customer_id,
        '{{ campaign }}' as campaign_id,
        accepted_{{ campaign }} as is_accepted
    from typed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        (customer_row_number - 1) * {{ ifood_campaigns() | length }} + campaign_order
            as source_row_number,
        customer_id,
        campaign_id,
        is_accepted,
        cast(null as date) as sent_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('is_accepted is null', 'unparseable_accepted'),
        ]) }} as rejection_reason,
        cast(null as varchar) as quality_flags
    from unpivoted
)

select * from final
{%- endmacro %}


{#- One row per raw row and name: typed's columns <prefix><name>, stacked into a column
    <label> (the name) and a column <value>; pairs are (file column, name). -#}
{% macro ifood_stacked(pairs, prefix, label, value) -%}
    {%- for column, name in pairs %}
    select
        source_row_number,
        customer_id,
        '{{ name }}' as {{ label }},
        {{ prefix }}{{ name }} as {{ value }}
    from typed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
