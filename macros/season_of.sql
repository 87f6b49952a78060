{#- Meteorological seasons of the northern hemisphere (Dec–Feb winter, Mar–May spring,
    Jun–Aug summer, Sep–Nov autumn). -#}
{% macro season_of(date_column) -%}
    case
        when month({{ date_column }}) in (12, 1, 2) then 'winter'
        when month({{ date_column }}) in (3, 4, 5) then 'spring'
        when month({{ date_column }}) in (6, 7, 8) then 'summer'
        else 'autumn'
    end
{%- endmacro %}
