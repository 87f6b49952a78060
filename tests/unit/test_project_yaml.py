"""The project's YAML says what its authors meant.

In a YAML flow mapping an unquoted comma ends the value: ``{name: x, description: Net spend,
currency units.}`` gives the description "Net spend" and a stray key "currency units." that
dbt ignores without a word, so the column comment in the warehouse is cut short. Every column
entry must have only keys dbt reads and no empty value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(
    p
    for folder in ("models", "seeds", "analyses", "macros", "tests", "snapshots")
    for p in (PROJECT_DIR / folder).rglob("*.yml")
)
COLUMN_KEYS = {
    "name", "description", "data_tests", "tests", "config", "data_type", "constraints",
    "meta", "quote", "tags", "granularity",
}


def _column_entries(node, where: str):
    if isinstance(node, dict):
        columns = node.get("columns")
        if isinstance(columns, list):
            owner = node.get("name", where)
            for column in columns:
                yield owner, column
        for key, value in node.items():
            yield from _column_entries(value, f"{where}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _column_entries(value, where)


def test_there_are_yaml_files():
    assert len(YAML_FILES) > 10


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_column_entries_have_only_known_keys(path):
    doc = yaml.safe_load(path.read_text())
    wrong = []
    for owner, column in _column_entries(doc, path.name):
        if not isinstance(column, dict):
            wrong.append((owner, column, "not a mapping"))
            continue
        extra = set(map(str, column)) - COLUMN_KEYS
        empty = sorted(str(k) for k, v in column.items() if v is None)
        if extra or empty:
            wrong.append((owner, column.get("name"), sorted(extra), empty))
    assert wrong == [], (
        "column entries with keys dbt does not read (an unquoted comma in a flow-mapping "
        f"description?): {wrong}"
    )
