"""The part of dbt's Jinja context that sqlfluff's jinja templater lacks (`.sqlfluff`).

sqlfluff renders our models with `apply_dbt_builtins` (ref, source, config, is_incremental,
this, return, fromjson) and our own macros (`load_macros_from_path = macros`). This package
adds the rest of what the models and macros call, the way `dbt parse` sees it: `execute` is
False, so no macro queries the warehouse (`contract_source_types()` returns {} as during
parsing), and `var()` returns the defaults in dbt_project.yml (the contract dataset). The
cross-database macros render the DuckDB SQL dbt-duckdb renders, so that sqlfluff parses
what dbt runs. Every name here that does not start with `_` becomes a Jinja global.
"""

from __future__ import annotations

import re as _re
from pathlib import Path as _Path
from types import SimpleNamespace as _Namespace

import yaml as _yaml
from sqlfluff.core.templaters.builtins.dbt import DBT_BUILTINS as _DBT_BUILTINS

_PROJECT = _yaml.safe_load(
    (_Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text()
)
_VARS = _PROJECT.get("vars", {})

execute = False


def var(name, default=None):
    """dbt_project.yml's value of a var, else the default given in the call."""
    return _VARS.get(name, default)


def env_var(name, default=""):
    return default


def log(message, info=False):
    return ""


def run_query(sql):
    # Only reached when execute is true; dbt returns None while parsing too.
    return None


class _CompilerError(Exception):
    pass


def _raise_compiler_error(message):
    raise _CompilerError(message)


def _warn(message):
    return ""


exceptions = _Namespace(raise_compiler_error=_raise_compiler_error, warn=_warn)


def _quote(identifier):
    return '"' + str(identifier).replace('"', '""') + '"'


adapter = _Namespace(
    quote=_quote,
    get_relation=lambda *args, **kwargs: None,
    get_columns_in_relation=lambda relation: [],
    drop_relation=lambda relation: None,
)

target = _Namespace(
    name="dev", type="duckdb", schema="main", database="customer_behavior",
    path="warehouse/customer_behavior.duckdb",
)
flags = _Namespace(FULL_REFRESH=False, WHICH="compile")
graph = _Namespace(nodes={}, sources={})
modules = _Namespace(re=_re)
builtins = _Namespace(ref=_DBT_BUILTINS["ref"], source=_DBT_BUILTINS["source"])


# dbt's cross-database macros as dbt-duckdb renders them.
def _datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp)"


def _dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + ({interval}) * interval 1 {datepart})"


def _date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def _listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    order_by = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order_by})"


def _generate_series(upper_bound):
    return (
        f"select generate_series as generated_number from generate_series(1, {upper_bound})"
    )


dbt = _Namespace(
    datediff=_datediff, dateadd=_dateadd, date_trunc=_date_trunc, listagg=_listagg,
    generate_series=_generate_series,
)
