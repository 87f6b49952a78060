{#- The incremental orders model's filter (int_orders): only rows dated within var('orders_lookback_days')
    of the latest order already in the table ({{ this }}); nothing on a full build. -#}
{% macro orders_lookback_filter(date_column='order_date') -%}
    {%- if is_incremental() %}
    where {{ date_column }} >= (
        select coalesce(
            cast({{ dbt.dateadd('day', -1 * var('orders_lookback_days', 3) | int, 'max(' ~ date_column ~ ')') }} as date),
            cast('1900-01-01' as date)
        )
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
