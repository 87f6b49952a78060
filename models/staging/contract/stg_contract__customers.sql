-- One row per raw customer row (duplicates included; they are resolved in intermediate).
-- Adapts the contract's text columns to types, normalises categories, and states for every
-- row why it is rejected (rejection_reason) or what was repaired (quality_flags).
{%- set types = contract_source_types('customers') %}
{%- set number_columns = ['annual_income', 'loyalty_score', 'birth_year', 'age', 'kids_at_home',
                          'teens_at_home'] %}
{%- set style = contract_number_style('customers', number_columns, types) %}
{%- set ambiguous = contract_ambiguous_columns(number_columns, types, style) %}
{#- A number that could be read either way ("52.000" in a mixed or undecided file, "52,000"
    unless the file is point) is "ambiguous: <text>" after decimal_commas_read: set to NULL
    and flagged ambiguous_<column> (ambiguous_income for annual_income), not
    unparseable_<column>. Only for the columns that can hold one
    (contract_ambiguous_columns), so a point file's or typed Parquet's SQL is as before. #}
with

numbered as (
    {{ contract_numbered_source('customers', types) | indent(4) }}
),

-- A file that writes decimal commas (contract_number_style: "52.000,50", "7,5", as
-- semicolon-separated exports do) has them read as 52000.50 and 7.5, and its dot groups as
-- thousands ("52.000" is 52000); in a point file "52,000" keeps its comma as a thousands
-- separator and nothing is rewritten.
decimal_commas_read as (
    select
        * replace (
            {{ contract_decimal_comma('annual_income', types.get('annual_income'), style) }}
                as annual_income,
            {{ contract_decimal_comma('loyalty_score', types.get('loyalty_score'), style) }}
                as loyalty_score,
            {{ contract_decimal_comma('birth_year', types.get('birth_year'), style) }}
                as birth_year,
            {{ contract_decimal_comma('age', types.get('age'), style) }} as age,
            {{ contract_decimal_comma('kids_at_home', types.get('kids_at_home'), style) }}
                as kids_at_home,
            {{ contract_decimal_comma('teens_at_home', types.get('teens_at_home'), style) }}
                as teens_at_home
        )
    from numbered
),

-- The duckdb dialect of sqlfluff parses 'not (...)' as a call of a function named not and
-- asks for 'not(' (LT01, LT06); the 'not is_missing(...)' lines below are negations.
-- noqa: disable=LT01,LT06
typed as (
    select
        source_row_number,
        {{ clean_key('customer_id') }} as customer_id,
        {{ parse_integer('birth_year', types.get('birth_year')) }} as birth_year_reported,
        not {{ is_missing('birth_year', types.get('birth_year')) }} as has_birth_year_text,
        {{ parse_integer('age', types.get('age')) }} as age_reported,
        not {{ is_missing('age', types.get('age')) }} as has_age_text,
        {{ normalize_gender('gender') }} as gender,
        {{ normalize_marital_status('marital_status') }} as marital_status,
        {{ is_known_marital_status('marital_status') }} as is_known_marital_status,
        coalesce({{ clean_text('education') }}, 'unknown') as education,
        coalesce({{ clean_text('occupation') }}, 'unknown') as occupation,
        {{ parse_money('annual_income', types.get('annual_income')) }} as annual_income_reported,
        not {{ is_missing('annual_income', types.get('annual_income')) }} as has_income_text,
        {{ parse_integer('kids_at_home', types.get('kids_at_home')) }} as kids_at_home,
        not {{ is_missing('kids_at_home', types.get('kids_at_home')) }} as has_kids_at_home_text,
        {{ parse_integer('teens_at_home', types.get('teens_at_home')) }} as teens_at_home,
        not {{ is_missing('teens_at_home', types.get('teens_at_home')) }} as has_teens_at_home_text,
        coalesce({{ clean_text('region') }}, 'unknown') as region,
        coalesce({{ clean_text('state') }}, 'unknown') as state,
        coalesce({{ clean_text('country') }}, 'unknown') as country,
        {{ parse_date('signup_date', types.get('signup_date')) }} as signup_date,
        not {{ is_missing('signup_date', types.get('signup_date')) }} as has_signup_date_text,
        {{ parse_boolean('is_loyalty_member', types.get('is_loyalty_member')) }}
            as is_loyalty_member,
        not {{ is_missing('is_loyalty_member', types.get('is_loyalty_member')) }}
            as has_loyalty_member_text,
        {{ parse_decimal('loyalty_score', types.get('loyalty_score')) }} as loyalty_score_reported,
        not {{ is_missing('loyalty_score', types.get('loyalty_score')) }} as has_loyalty_score_text
        {{- contract_ambiguous_flags(ambiguous) }}
    from decimal_commas_read
),
-- noqa: enable=LT01,LT06

checked as (
    select
        *,
        birth_year_reported is not null
        and (birth_year_reported < 1900 or birth_year_reported > year(current_date))
            as is_impossible_birth_year,
        age_reported is not null and (age_reported < 0 or age_reported > 120)
            as is_impossible_age,
        annual_income_reported < 0 as is_negative_income,
        has_income_text and annual_income_reported is null
        {{- contract_not_ambiguous('annual_income', ambiguous) }} as is_unparseable_income,
        loyalty_score_reported is not null
        and (loyalty_score_reported < 1 or loyalty_score_reported > 10)
            as is_loyalty_score_out_of_range,
        has_signup_date_text and signup_date is null as is_unparseable_signup_date,
        coalesce(signup_date > current_date, false) as is_future_signup_date,
        coalesce(signup_date < {{ earliest_plausible_date() }}, false)
            as is_implausible_signup_date,
        has_birth_year_text and birth_year_reported is null
        {{- contract_not_ambiguous('birth_year', ambiguous) }} as is_unparseable_birth_year,
        has_age_text and age_reported is null
        {{- contract_not_ambiguous('age', ambiguous) }} as is_unparseable_age,
        has_kids_at_home_text and kids_at_home is null
        {{- contract_not_ambiguous('kids_at_home', ambiguous) }} as is_unparseable_kids_at_home,
        has_teens_at_home_text and teens_at_home is null
        {{- contract_not_ambiguous('teens_at_home', ambiguous) }} as is_unparseable_teens_at_home,
        coalesce(kids_at_home < 0 or teens_at_home < 0, false) as is_negative_household_count,
        has_loyalty_member_text and is_loyalty_member is null as is_unparseable_loyalty_member,
        has_loyalty_score_text and loyalty_score_reported is null
        {{- contract_not_ambiguous('loyalty_score', ambiguous) }} as is_unparseable_loyalty_score
    from typed
),

final as (
    select
        source_row_number,
        customer_id,
        case when not is_impossible_birth_year then birth_year_reported end as birth_year,
        case when not is_impossible_age then age_reported end as age_reported,
        gender,
        marital_status,
        education,
        occupation,
        case
            when not coalesce(is_negative_income, false) then annual_income_reported
        end as annual_income,
        case when kids_at_home >= 0 then kids_at_home end as kids_at_home,
        case when teens_at_home >= 0 then teens_at_home end as teens_at_home,
        region,
        state,
        country,
        is_loyalty_member,
        case
            when not is_loyalty_score_out_of_range then loyalty_score_reported
        end as loyalty_score,
        case
            when not (is_future_signup_date or is_implausible_signup_date) then signup_date
        end as signup_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
        ]) }} as rejection_reason,
        nullif(concat_ws(
            ',',
            case when is_impossible_birth_year then 'impossible_birth_year' end,
            case when is_impossible_age then 'impossible_age' end,
            case when not is_known_marital_status then 'unknown_marital_status' end,
            case when is_negative_income then 'negative_income' end,
            case when is_unparseable_income then 'unparseable_income' end,
            case when is_loyalty_score_out_of_range then 'loyalty_score_out_of_range' end,
            case when is_unparseable_signup_date then 'unparseable_signup_date' end,
            case when is_future_signup_date then 'future_signup_date' end,
            case when is_implausible_signup_date then 'implausible_signup_date' end,
            case when is_unparseable_birth_year then 'unparseable_birth_year' end,
            case when is_unparseable_age then 'unparseable_age' end,
            case when is_unparseable_kids_at_home then 'unparseable_kids_at_home' end,
            case when is_unparseable_teens_at_home then 'unparseable_teens_at_home' end,
            case when is_negative_household_count then 'negative_household_count' end,
            case when is_unparseable_loyalty_member then 'unparseable_loyalty_member' end,
            case when is_unparseable_loyalty_score then 'unparseable_loyalty_score' end
            {%- for column, flag in [
                ('annual_income', 'ambiguous_income'),
                ('birth_year', 'ambiguous_birth_year'),
                ('age', 'ambiguous_age'),
                ('kids_at_home', 'ambiguous_kids_at_home'),
                ('teens_at_home', 'ambiguous_teens_at_home'),
                ('loyalty_score', 'ambiguous_loyalty_score'),
            ] if column in ambiguous %},
            case when is_ambiguous_{{ column }} then '{{ flag }}' end
            {%- endfor %}
        ), '') as quality_flags
    from checked
)

select * from final
