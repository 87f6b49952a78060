{#- The group × item block that category_demand_by_region, category_demand_by_segment,
    category_demand_by_spend_decile and product_demand_by_segment share: what each group of
    customers (a region, a segment, a spend decile)
    spends on each item (a product category, a product), the item's share of the group's
    spend and the lift against all customers. Written once here; each mart joins its own
    grouping, keeps its own columns and names them (DECISIONLOG, "Insight marts": macros, not
    an intermediate model). -#}

{#- Per group and product category: buying customers (macro bought_category), units and
    spend of the rows of int_customer_category_spend (CTE category_spend) whose customer_id
    has a row in customer_groups (a CTE with customer_id and group_column). A group ×
    category pair nobody in the group bought has no row. -#}
{% macro category_spend_by_group(category_spend, customer_groups, group_column) -%}
    select
        {{ customer_groups }}.{{ group_column }},
        {{ category_spend }}.product_category,
        count(*) filter (where {{ bought_category(category_spend) }}) as customer_count,
        {{ integer_sum(category_spend ~ '.quantity') }} as quantity,
        {{ money_sum(category_spend ~ '.spend') }} as spend
    from {{ category_spend }}
    inner join {{ customer_groups }}
        on {{ category_spend }}.customer_id = {{ customer_groups }}.customer_id
    group by {{ customer_groups }}.{{ group_column }}, {{ category_spend }}.product_category
{%- endmacro %}


{#- Every column of cells (a CTE of one row per group and item, with spend) and:
    spend_rank_in_group (1 = the group's largest item; ties by the item columns),
    spend_share_in_group (the item's share of the group's spend, 6 decimals),
    spend_share_overall (the item's share of the spend of all the cells' rows, 6 decimals)
    and lift (the unrounded shares' ratio, 4 decimals; 1 = as all customers). The item is
    the item_columns together (a category, or a category and a product). -#}
{% macro spend_shares_by_group(cells, group_column, item_columns=['product_category']) -%}
    {%- set items = [] -%}
    {%- for column in item_columns -%}{%- do items.append(cells ~ '.' ~ column) -%}{%- endfor -%}
    {%- set share_in_group = share_of_total(cells ~ '.spend', partition_by=cells ~ '.' ~ group_column) -%}
    {%- set share_overall = group_share_of_total(cells ~ '.spend', group_by=items | join(', ')) -%}
    select
        {{ cells }}.*,
        cast(row_number() over (
            partition by {{ cells }}.{{ group_column }}
            order by {{ cells }}.spend desc, {{ items | join(', ') }}
        ) as integer) as spend_rank_in_group,
        round({{ share_in_group }}, 6) as spend_share_in_group,
        round({{ share_overall }}, 6) as spend_share_overall,
        round({{ safe_divide(share_in_group, share_overall) }}, 4) as lift
    from {{ cells }}
{%- endmacro %}


{#- Every group × category pair: each row of groups (a CTE of one row per group, its columns
    kept) with each product_category of categories, and the buyers, units and spend of
    cells (category_spend_by_group's rows), zero where the group bought none of it. For
    marts that show what a group does not buy as well as what it buys. -#}
{% macro every_group_and_category(groups, group_column, categories, cells) -%}
    select
        {{ groups }}.*,
        {{ categories }}.product_category,
        coalesce({{ cells }}.customer_count, 0) as customer_count,
        coalesce({{ cells }}.quantity, 0) as quantity,
        coalesce({{ cells }}.spend, 0) as spend
    from {{ groups }}
    cross join {{ categories }}
    left join {{ cells }}
        on {{ groups }}.{{ group_column }} = {{ cells }}.{{ group_column }}
        and {{ categories }}.product_category = {{ cells }}.product_category
{%- endmacro %}
