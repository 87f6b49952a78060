-- One row per raw order line. Types and normalises the contract's text columns and gives
-- each row that cannot be used a rejection_reason (first failing check wins). Checks that
-- need other tables (unknown customer, duplicate line) happen in intermediate.
{%- set types = contract_source_types('orders') %}
{%- set number_columns = ['amount', 'discount_amount', 'quantity'] %}
{%- set style = contract_number_style('orders', number_columns, types) %}
{%- set ambiguous = contract_ambiguous_columns(number_columns, types, style) %}
{#- A number that could be read either way ("1.234" in a mixed or undecided file, "1,234"
    unless the file is point) is "ambiguous: <text>" after decimal_commas_read: flagged in
    typed (is_ambiguous_<column>) and rejected as ambiguous_<column>, a reason of its own,
    before unparseable_<column>. Only for the columns that can hold one
    (contract_ambiguous_columns), so a point file's or typed Parquet's SQL is as before. #}
with

numbered as (
    {{ contract_numbered_source('orders', types) | indent(4) }}
),

-- A file that writes decimal commas (contract_number_style: "12,50", "1.234,50", as
-- semicolon-separated exports do) has them read as 12.50 and 1234.50, and its dot groups
-- as thousands ("1.234" is 1234, a quantity "1.000" is 1000); in a point file "1,250" keeps
-- its comma as a thousands separator and nothing is rewritten.
decimal_commas_read as (
    select
        * replace (
            {{ contract_decimal_comma('amount', types.get('amount'), style) }} as amount,
            {{ contract_decimal_comma('discount_amount', types.get('discount_amount'), style) }}
                as discount_amount,
            {{ contract_decimal_comma('quantity', types.get('quantity'), style) }} as quantity
        )
    from numbered
),

-- The duckdb dialect of sqlfluff parses 'not (...)' as a call of a function named not and
-- asks for 'not(' (LT01, LT06); the 'not is_missing(...)' lines below are negations.
-- noqa: disable=LT01,LT06
typed as (
    select
        source_row_number,
        {{ clean_key('order_id') }} as order_id,
        {{ clean_key('customer_id') }} as customer_id,
        {{ parse_date('order_date', types.get('order_date')) }} as order_date,
        not {{ is_missing('order_date', types.get('order_date')) }} as has_order_date_text,
        coalesce({{ clean_text('channel') }}, 'unknown') as channel,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_category') }} as product_category,
        coalesce(
            {{ parse_integer('quantity', types.get('quantity')) }},
            case when {{ is_missing('quantity', types.get('quantity')) }} then 1 end
        ) as quantity,
        {{ parse_money('amount', types.get('amount')) }} as amount,
        not {{ is_missing('amount', types.get('amount')) }} as has_amount_text,
        coalesce(
            {{ parse_money('discount_amount', types.get('discount_amount')) }},
            case when {{ is_missing('discount_amount', types.get('discount_amount')) }} then 0 end
        ) as discount_amount,
        {{ clean_text('promo_code') }} as promo_code
        {{- contract_ambiguous_flags(ambiguous) }}
    from decimal_commas_read
),
-- noqa: enable=LT01,LT06

final as (
    select
        source_row_number,
        order_id,
        customer_id,
        channel,
        product_id,
        product_category,
        promo_code,
        quantity,
        amount,
        discount_amount,
        order_date,
        {{ first_reason([
            ('order_id is null', 'missing_order_id'),
            ('customer_id is null', 'missing_customer_id'),
            ('not has_order_date_text', 'missing_order_date'),
            ('order_date is null', 'unparseable_order_date'),
            ('order_date > current_date', 'future_order_date'),
            ('order_date < ' ~ earliest_plausible_date(), 'implausible_order_date'),
            ('product_category is null', 'missing_product_category'),
            ('not has_amount_text', 'missing_amount'),
            ('is_ambiguous_amount' if 'amount' in ambiguous else none, 'ambiguous_amount'),
            ('amount is null', 'unparseable_amount'),
            ('amount < 0', 'negative_amount'),
            ('is_ambiguous_quantity' if 'quantity' in ambiguous else none, 'ambiguous_quantity'),
            ('quantity is null', 'unparseable_quantity'),
            ('quantity <= 0', 'non_positive_quantity'),
            ('is_ambiguous_discount_amount' if 'discount_amount' in ambiguous else none,
                'ambiguous_discount_amount'),
            ('discount_amount is null', 'unparseable_discount_amount'),
            ('discount_amount < 0', 'negative_discount_amount'),
        ]) }} as rejection_reason
    from typed
)

select * from final
