{#- A post-hook for the tables whose columns follow the data (segment_features' one share
    column per channel and category, segment_profiles' mean of every customer attribute and
    its indices): a column without a YAML description gets a DuckDB comment derived from its
    name, so that every column of the warehouse carries one
    (`select comment from duckdb_columns()`). A `mean_<column>` reuses the description of
    <column> in marts.customers or segments.segment_features. Returns SQL for the hook.
    The docs site shows only YAML descriptions, so the YAML lists the demo's columns too;
    this hook covers the channels and categories of other data. -#}
{% macro comment_pattern_columns() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set documented = model.columns.keys() | list -%}
    {%- set sources = {} -%}
    {%- for name in ['customers', 'segment_features'] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
            {%- for column_name, column in node.columns.items() if column.description -%}
                {%- do sources.setdefault(column_name, column.description) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) if column.name not in documented -%}
        {%- set text = pattern_column_description(column.name, sources) -%}
        {%- if text -%}
            {%- do statements.append('comment on column ' ~ this ~ '.' ~ adapter.quote(column.name)
                ~ ' is ' ~ sql_literal(text)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{% macro pattern_column_description(name, sources) -%}
    {%- set channel_prefix, category_prefix = 'share_channel_', 'share_category_' -%}
    {%- if name.startswith(channel_prefix) -%}
        {{ return("Share of the customer's spend through the " ~ name[(channel_prefix | length):] ~ " channel (0–1; 0 when unused; in segment_profiles a share of purchases where channel_share_basis says so).") }}
    {%- elif name.startswith(category_prefix) -%}
        {{ return("Share of the customer's spend on " ~ name[(category_prefix | length):] ~ " (0–1; 0 when none bought).") }}
    {%- elif name.startswith('mean_') -%}
        {%- set base = name[5:] -%}
        {%- set described = sources.get(base) or pattern_column_description(base, sources) -%}
        {%- set what = ("Share of the segment's customers with " ~ base ~ " true")
            if base.startswith('is_') else ("Segment mean of " ~ base) -%}
        {{ return(what ~ (": " ~ described if described else ".")) }}
    {%- elif name.endswith('_index') -%}
        {{ return("Segment mean of the " ~ name[:-6] ~ " measure / the population's mean (1 = average; the table's description names each measure's column).") }}
    {%- elif name.endswith('_z') -%}
        {{ return("Segment mean of the " ~ name[:-2] ~ " measure minus the population's mean, in population standard deviations.") }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
