{#- Every ref() and source() renders without the database name: `intermediate.int_orders`,
    not `customer_behavior.intermediate.int_orders`. DuckDB stores a view's query as written,
    and a view that names its inputs with the database looks for that name for ever: copy or
    rename the warehouse file, or attach it under an alias, and the view fails with
    `Catalog "customer_behavior" does not exist`. Unqualified names bind in the view's own
    database (also when attached under an alias), and the build's connection has the
    warehouse as its default database, so models, tests and Python models read the same
    relations. The warehouse is one DuckDB file; nothing here reads another database. -#}
{% macro ref() -%}
    {%- do return(builtins.ref(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}

{% macro source() -%}
    {%- do return(builtins.source(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}
