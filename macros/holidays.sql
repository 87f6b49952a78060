{#- One row per date of the holiday calendar with the holiday's name; a date on which two
    holidays fall carries their joined name in name order ('Christmas Day / X'). marts.orders
    names each order's holiday with it and intermediate.int_calendar_days each day's, so an
    order and its day always agree. `holidays` is a relation (or CTE) with holiday_date and
    holiday_name (the holiday_calendar seed). -#}
{% macro holidays_per_day(holidays) -%}
    select
        holiday_date,
        {{ dbt.listagg('holiday_name', "' / '", 'order by holiday_name') }} as holiday_name
    from {{ holidays }}
    group by holiday_date
{%- endmacro %}
