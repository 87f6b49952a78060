{#- The date ages, recency and tenure are measured at: var('as_of_date') when given, else the
    latest accepted order date (from int_orders), so that a rebuild on the same input gives the same numbers
    whatever day it runs. A public dataset without order dates (macros/datasets.sql, "as_of")
    uses its latest sign-up date, or no date at all when it has none (its ages are given as
    ages, and recency and tenure stay NULL). -#}
{% macro as_of_date() -%}
    {%- set as_of_rule = dataset_capabilities()['as_of'] -%}
    {%- if var('as_of_date', '') != '' -%}
        date '{{ var("as_of_date") }}'
    {%- elif as_of_rule == 'latest_signup_date' -%}
        (select max(signup_date) from {{ staging_ref('customers') }} where rejection_reason is null)
    {%- elif as_of_rule == 'none' -%}
        cast(null as date)
    {%- else -%}
        coalesce((select max(order_date) from {{ ref('int_orders') }}), current_date)
    {%- endif -%}
{%- endmacro %}
