{#- The first day an order, sign-up or campaign date can be real: var('earliest_plausible_date')
    (dbt_project.yml). Earlier dates are the placeholders exports write for "no date"
    (0001-01-01, 1900-01-01, 1970-01-01 ...) or typos; the staging models reject the order
    lines and NULL and flag the optional dates. A value that is not a YYYY-MM-DD date stops
    the build here, naming the var. -#}
{% macro earliest_plausible_date() -%}
    {%- set value = var('earliest_plausible_date', '1970-01-02') | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error(
            "var earliest_plausible_date must be a date written YYYY-MM-DD (e.g. 1970-01-02), not '"
            ~ value ~ "'"
        ) }}
    {%- endif -%}
    date '{{ value }}'
{%- endmacro %}
