{#- Sums cast back to the summed column's type. DuckDB widens sum() of a BIGINT to HUGEINT
    and of a DECIMAL(18, 2) to DECIMAL(38, 2), which are slower to store and scan (at 1 M
    customers `segment_features` took 6.3 s with the wide types and 3.1 s without;
    DECISIONLOG, Scale), and pandas reads a HUGEINT as a float. The inputs are parsed as
    exactly these types (macros/cleaning.sql), and a sum that does not fit raises, not wraps. -#}
{% macro money_sum(expression) -%}
    cast(sum({{ expression }}) as decimal(18, 2))
{%- endmacro %}

{% macro integer_sum(expression) -%}
    cast(sum({{ expression }}) as bigint)
{%- endmacro %}

{#- The mean of a DOUBLE column that does not depend on the row order: the values are summed
    as DECIMAL(18, 6), exactly, then divided. A float sum depends on how DuckDB's threads
    split the rows, and a mean rounded to 4 decimals flipped between two builds of the same
    input (mean_loyalty_score 3.6438 / 3.6437; tests/integration/test_reliability.py). Used
    for every mean of a DOUBLE column in the marts (DECISIONLOG, Reliability). The values
    must be finite and below 10^12: a NaN, an infinity or a larger value stops the model
    with DuckDB's conversion error. The columns it serves stay inside that: frequencies, order
    values and discount rates are guarded divisions; staging nulls a loyalty score outside
    1-10 and a rating outside 1-5 (NaN and infinities included, which `parse_decimal`
    reads); P(alive) has an accepted_range test before segment_value reads it. -#}
{% macro exact_avg(expression) -%}
    avg(cast({{ expression }} as decimal(18, 6)))
{%- endmacro %}
