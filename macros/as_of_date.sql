{#- The date ages, recency and tenure are measured at: var('as_of_date') when given, else the
    latest accepted order date, so that a rebuild on the same input gives the same numbers
    whatever day it runs. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date', '') != '' -%}
        date '{{ var("as_of_date") }}'
    {%- else -%}
        coalesce((select max(order_date) from {{ ref('int_order_lines') }}), current_date)
    {%- endif -%}
{%- endmacro %}
