{#- A Python string as a SQL string literal ('it''s'), for values read from the warehouse
    at run time and written into generated SQL (channel, category and feature names). -#}
{% macro sql_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- The column segment_features names after a channel or category value read from the
    data: prefix ~ value, with each double quote written as two single quotes. dbt quotes
    column names as "name" without escaping a double quote inside (adapter.quote, and the
    fixtures of its unit tests), so a category such as 'tv 27"' would end the identifier
    early and fail the build with a parser error. -#}
{% macro share_column_name(prefix, value) -%}
    {{ return(prefix ~ (value | string | replace('"', "''"))) }}
{%- endmacro %}
