{#- Shares of a total, as doubles, NULL when the total is 0. The marts compute shares of
    spend or revenue within a group (a region's spend on each category) and a group's share
    of everything (each category's share of all spend); a window sum gives the total so the
    rows keep their grain. -#}

{#- value's share of its sum over the rows of partition_by (all rows when none). -#}
{% macro share_of_total(value, partition_by=none) -%}
    {{ safe_divide(
        'cast(' ~ value ~ ' as double)',
        'cast(sum(' ~ value ~ ') over (' ~ ('partition by ' ~ partition_by if partition_by else '')
            ~ ') as double)'
    ) }}
{%- endmacro %}

{#- The share of all rows' value that falls in the row's group_by (for example the row's
    category's share of all spend, repeated on each row of that category). -#}
{% macro group_share_of_total(value, group_by) -%}
    {{ safe_divide(
        'cast(sum(' ~ value ~ ') over (partition by ' ~ group_by ~ ') as double)',
        'cast(sum(' ~ value ~ ') over () as double)'
    ) }}
{%- endmacro %}

