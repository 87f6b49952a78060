{#- A Python string as a SQL string literal ('it''s'), for values read from the warehouse
    at run time and written into generated SQL (channel, category and feature names). -#}
{% macro sql_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
