{#- The orders a group of accepted order lines holds, as an aggregate expression: the
    distinct order ids of dated lines (NULL rather than 0 when the lines carry no order id),
    or, for data whose lines state how many orders they stand for instead of an order id
    (Diwali's Orders column, stated_order_count), the sum of those. The same count
    int_customer_activity gives a customer's order_count. -#}
{% macro lines_order_count() -%}
    {%- if 'stated_order_count' in dataset_capabilities()['order_line_key_columns'] -%}
    cast(sum(stated_order_count) as bigint)
    {%- else -%}
    case when count(order_id) > 0 then count(distinct order_id) end
    {%- endif -%}
{%- endmacro %}
