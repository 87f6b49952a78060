{#- A customer id as two exports of the same key may spell it differently: lower case, no
    trailing ".0" (an id read as a number) and no leading zeros (a spreadsheet drops them);
    NULL when nothing is left. Keys are still matched exactly: marts.rejected_rows uses it
    only to name the customer an unknown_customer_id row would match
    (loosely_matching_customer_id), which unknown_customer_ids_match_a_customer_loosely
    warns about. -#}
{% macro loose_customer_key(column) -%}
    nullif(ltrim(regexp_replace(lower({{ column }}), '\.0+$', ''), '0'), '')
{%- endmacro %}
