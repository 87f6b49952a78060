{#- Schemas are exactly the folder's +schema (raw, staging, intermediate, marts, segments),
    never "<target>_<schema>", so an analyst never has to guess a prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
