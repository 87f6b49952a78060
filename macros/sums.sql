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
    input (mean_loyalty_score 3.6438 / 3.6437; tests/integration/test_reliability.py). -#}
{% macro exact_avg(expression) -%}
    avg(cast({{ expression }} as decimal(18, 6)))
{%- endmacro %}
