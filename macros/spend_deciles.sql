{#- A customer's spend decile: 1 = the top 10 % of customers by total spend. ntile(10) over
    every customer ordered by spend descending, ties broken by customer_id, so the deciles
    are deterministic; when the customer count is not a multiple of ten the first deciles
    hold one customer more. Customers without orders count, with zero spend (bottom
    deciles). Used by revenue_concentration and category_demand_by_spend_decile, so the two
    marts' deciles are the same customers. -#}
{% macro spend_decile(total_spend='total_spend', customer_id='customer_id') -%}
    ntile(10) over (order by {{ total_spend }} desc, {{ customer_id }})
{%- endmacro %}
