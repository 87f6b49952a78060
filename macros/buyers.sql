{#- Who has bought: the rules the marts and the segmentation share. -#}

{#- Whether a row of int_customer_category_spend (alias relation) is a buyer of its category:
    a line bought, or spend stated for it (data without lines states spend only). -#}
{% macro bought_category(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    (coalesce({{ prefix }}order_line_count, 0) > 0 or coalesce({{ prefix }}spend, 0) > 0)
{%- endmacro %}


{#- Whether a row of int_customer_activity (alias relation) shows a customer who has bought
    nothing: no order and no spend, at least one of them known (data that states neither
    says nothing either way). -#}
{% macro has_bought_nothing(relation) -%}
    (
        coalesce({{ relation }}.order_count, 0) = 0
        and coalesce({{ relation }}.total_spend, 0) = 0
        and ({{ relation }}.order_count is not null or {{ relation }}.total_spend is not null)
    )
{%- endmacro %}
