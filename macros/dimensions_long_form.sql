{#- One row per row of ``relation`` and demographic dimension: the dimension's name, its value
    as text ('unknown' when NULL), the age group's sort order for the age_group dimension (NULL
    for the others), and the ``columns`` carried along. The long form demographic_spend and
    demographic_spend_by_order_line aggregate, so that every dimension is grouped alike. -#}
{% macro dimensions_long_form(relation, dimensions, columns) -%}
    {%- for dimension in dimensions %}
    select
        '{{ dimension }}' as dimension,
        coalesce(cast({{ dimension }} as varchar), 'unknown') as dimension_value,
        {{ 'age_group_order' if dimension == 'age_group' else 'null' }} as value_order,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- Sort order of a value within its dimension, for the aggregated long form: the age group's
    own order (value_order) for age groups, youngest first, else rank by descending revenue. -#}
{% macro dimension_value_order(value_order='value_order', revenue='total_spend') -%}
    cast(coalesce(
        {{ value_order }},
        row_number() over (
            partition by dimension order by {{ revenue }} desc, dimension_value
        )
    ) as integer)
{%- endmacro %}
