{#- The features of the stored segment model (segments.segment_model), in the model's order,
    read when the model using them compiles; empty before segment_model is first built. A
    macro so that a unit test can name the features of its hand-made model instead
    (`overrides: macros: {segment_model_features: [...]}`): a unit test's inputs are not
    tables that run_query could read. -#}
{% macro segment_model_features(segment_model_relation) -%}
    {%- set features = [] %}
    {%- if execute and load_relation(segment_model_relation) is not none %}
        {%- for row in run_query("select feature_name from " ~ segment_model_relation
            ~ " group by feature_name order by min(feature_order)").rows %}
            {%- do features.append(row[0]) %}
        {%- endfor %}
    {%- endif %}
    {{- return(features) }}
{%- endmacro %}
