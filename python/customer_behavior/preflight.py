"""Checks that run before dbt touches the warehouse: is the DuckDB file free, and is each
input file what it claims to be.

A build should fail in seconds with a sentence a person can act on, never with a Python
traceback or a hang. Two places use these checks:

* ``customer-behavior preflight --warehouse FILE`` (run by ``make build`` / ``make docs``
  before dbt) and
* a dbt-duckdb plugin (``plugins: [{module: customer_behavior.preflight}]`` in
  ``profiles.yml``), so that a plain ``dbt build`` gets the same messages:

  - before dbt opens the warehouse, :func:`warehouse_problem` turns DuckDB's lock error into
    a message naming the file, the process holding it and what to do;
  - it registers two SQL functions the ``on-run-start`` hook (``macros/contract.sql``) calls
    on every ``DATA_DIR`` file: ``customer_behavior_inspect_file(path)`` (is it text CSV or
    Parquet at all, which delimiter, which header) and
    ``customer_behavior_csv_encoding(path)`` (a CSV that is not UTF-8: can it be read as
    Latin-1 without guessing?). Both return JSON; the hook raises the error, so the run stops
    before any model is built.

Everything here reads at most the head of a file, except :func:`csv_encoding`, which reads
the whole file and only runs once DuckDB has found bytes that are not UTF-8.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_LINE_BYTES",
    "SETTINGS",
    "absolute_path",
    "csv_encoding",
    "inspect_file",
    "settings_problem",
    "warehouse_problem",
]

#: DuckDB's default ``max_line_size`` for ``read_csv``: a longer line is not a CSV record.
MAX_LINE_BYTES = 2_097_152
_HEAD_BYTES = 65_536
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

# (leading bytes, what the file is, what to do)
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "export the table itself as CSV or Parquet"),
    (
        b"PK\x03\x04",
        "a zip archive (an Excel .xlsx workbook is one)",
        "open it in Excel / LibreOffice and save the sheet as 'CSV UTF-8', or unzip it",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel .xls workbook (or another Office document)",
        "save the sheet as 'CSV UTF-8'",
    ),
    (b"%PDF", "a PDF document", "export the table itself as CSV or Parquet"),
    (b"\xff\xd8\xff", "a JPEG image", "export the table itself as CSV or Parquet"),
    (b"GIF8", "a GIF image", "export the table itself as CSV or Parquet"),
    (b"PAR1", "a Parquet file", "rename it to .parquet"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV or Parquet"),
    (b"\x1f\x8b", "gzip-compressed data", "name it .csv.gz so it is decompressed"),
    (b"\xff\xfe", "UTF-16 text", "save it as UTF-8 CSV"),
    (b"\xfe\xff", "UTF-16 text", "save it as UTF-8 CSV"),
)


# ---------------------------------------------------------------------------
# the warehouse file
# ---------------------------------------------------------------------------

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def warehouse_problem(path: str | os.PathLike) -> str | None:
    """None when ``path`` can be opened for writing by DuckDB, else a message saying which
    file is unusable, why, and what to do.

    DuckDB allows one writing process per database file; a second one fails at once with
    ``Could not set lock on file``. The check opens and closes the file (which also replays
    the write-ahead log a killed build left behind), so it costs well under a second.
    A file that does not exist yet is fine: the build creates it.
    """
    import duckdb

    path = Path(path)
    if str(path) in {"", ":memory:"} or not path.exists():
        return None
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        text = str(exc)
        if "different configuration" in text:
            return None  # this very process has it open (dbt run in-process): not a lock
        holder = _LOCK_HOLDER.search(text)
        if holder or "lock" in text.lower():
            who = (
                f"{Path(holder['program']).name} (PID {holder['pid']}, {holder['program']})"
                if holder
                else "another process"
            )
            return (
                f"The warehouse file {path} is locked: {who} has it open, and DuckDB lets only "
                "one process write to a database file. Close that program (quit the duckdb "
                "CLI with .quit, call con.close() in a notebook or Python session, disconnect "
                "DBeaver / harlequin) and run the build again, or build into another file "
                "with WAREHOUSE=other.duckdb (make) or CUSTOMER_BEHAVIOR_WAREHOUSE (dbt). "
                f"DuckDB said: {text.splitlines()[0]}"
            )
        return (
            f"The warehouse file {path} cannot be opened by DuckDB: {text.splitlines()[0]}. "
            "If it is not a DuckDB database written by this project (duckdb 1.5), move it "
            "away or choose another file with WAREHOUSE=... (make) or "
            "CUSTOMER_BEHAVIOR_WAREHOUSE (dbt)."
        )
    return None


#: DuckDB settings the profile takes from the environment: (env variable, make variable,
#: what a valid value looks like).
SETTINGS: dict[str, tuple[str, str, str]] = {
    "threads": ("CUSTOMER_BEHAVIOR_THREADS", "THREADS", "a whole number of at least 1, such as 2"),
    "memory_limit": (
        "CUSTOMER_BEHAVIOR_MEMORY_LIMIT",
        "MEMORY_LIMIT",
        "a size with a unit, such as 2GB, 512MB or 4GiB",
    ),
}


def settings_problem(config: dict[str, Any]) -> str | None:
    """None when DuckDB accepts every setting of ``config`` that the profile reads from the
    environment (``threads``, ``memory_limit``), else a message naming the setting, the
    variables it comes from, the value and what is expected.

    DuckDB checks them only when dbt opens the warehouse, and dbt then prints a traceback
    ending in "Parser Error: Memory must have a number"; each value is tried on an
    in-memory database instead (a few milliseconds).
    """
    import duckdb

    for name, (env, make_var, expected) in SETTINGS.items():
        if name not in config or config[name] is None:
            continue
        value = config[name]
        try:
            duckdb.connect(":memory:", config={name: value}).close()
        except duckdb.Error as exc:
            return (
                f"DuckDB setting {name} = {str(value)!r} (from {env}, or {make_var}=... with "
                f"make) is not valid: expected {expected}. "
                f"DuckDB said: {str(exc).splitlines()[0]}"
            )
    return None


# ---------------------------------------------------------------------------
# input files
# ---------------------------------------------------------------------------


def _problem(problem: str, expected: str) -> dict[str, Any]:
    return {"ok": False, "problem": problem, "expected": expected}


def _read_head(path: Path, n: int) -> bytes:
    """The first ``n`` bytes of the file's content (decompressed for .gz)."""
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read(n)
    with open(path, "rb") as fh:
        return fh.read(n)


def _magic(head: bytes) -> tuple[str, str] | None:
    for prefix, what, fix in _MAGIC:
        if head.startswith(prefix):
            return what, fix
    if head[8:12] == b"DUCK":
        return "a DuckDB database", "export the table with COPY ... TO 'file.parquet'"
    return None


def _split_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _column_names(header: str, delimiter: str) -> tuple[list[str], list[str]]:
    """Normalised (trimmed, lower-case) header names, and notes about repairs."""
    row = next(csv.reader([header], delimiter=delimiter, quotechar='"'), [])
    names, notes = [], []
    for position, raw in enumerate(row, start=1):
        name = raw.strip().strip('"').strip().lower()
        if not name:
            name = f"column_{position}"
            notes.append(f"header column {position} has no name (read as {name}, ignored)")
        names.append(name)
    return names, notes


def inspect_file(path: str | os.PathLike) -> dict[str, Any]:
    """Look at the head of an input file and say whether it can be read as the CSV or
    Parquet file its name promises.

    Returns ``{"ok": True, "format": "csv", "delimiter": ",", "columns": [...], "notes":
    [...], "header_is_utf8": bool}`` (columns are the header's names, trimmed and
    lower-cased, in file order), ``{"ok": True, "format": "parquet", ...}``, or ``{"ok":
    False, "problem": ..., "expected": ...}`` with two sentence fragments for the error
    message. Never raises for a bad file.
    """
    path = Path(path)
    lower = path.name.lower()
    is_parquet = lower.endswith(".parquet")
    try:
        size = path.stat().st_size
        head = _read_head(path, MAX_LINE_BYTES + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return _problem(
            f"cannot be read ({exc.__class__.__name__}: {exc})",
            "a readable file (check permissions, and that a .gz file is really gzip)",
        )
    if size == 0 or not head:
        return _problem(
            "is empty (0 bytes)",
            "a header line naming the columns, then one line per row"
            if not is_parquet
            else "a Parquet file written by pandas, pyarrow, DuckDB or Spark",
        )
    magic = _magic(head)
    if is_parquet:
        if not head.startswith(b"PAR1"):
            looks = magic[0] if magic else (
                "text (a CSV file?)" if b"\x00" not in head[:_HEAD_BYTES] else "unknown binary data"
            )
            return _problem(
                f"is not a Parquet file: it starts like {looks}",
                "a Parquet file (it begins and ends with the bytes PAR1); a CSV file must be "
                "named .csv",
            )
        with open(path, "rb") as fh:
            fh.seek(max(size - 4, 0))
            tail = fh.read(4)
        if size < 12 or tail != b"PAR1":
            return _problem(
                "is a truncated Parquet file (no PAR1 footer at the end): was the copy or "
                "export interrupted?",
                "a complete Parquet file; copy or export it again",
            )
        return {"ok": True, "format": "parquet", "notes": []}

    if magic:
        what, fix = magic
        return _problem(f"is not a CSV text file: it is {what}", f"CSV text; {fix}")
    if b"\x00" in head[:_HEAD_BYTES]:
        return _problem(
            "is not a CSV text file: it contains NUL bytes (binary data)",
            "CSV text: a header line naming the columns, then one line per row",
        )
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    first_end = min(ends) if ends else len(head)
    if first_end > MAX_LINE_BYTES:
        return _problem(
            f"has no line break in its first {MAX_LINE_BYTES:,} bytes (2 MB), so its header "
            "line cannot be found",
            "CSV text: a header line naming the columns, then one line per row (if the file "
            "is one long line, its line breaks were lost on export)",
        )
    raw_header = head[:first_end]
    try:
        header, header_is_utf8 = raw_header.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        header, header_is_utf8 = raw_header.decode("latin-1"), False
    control = [c for c in header if ord(c) < 32 and c != "\t"]
    if control or "\ufffd" in header:
        return _problem(
            "is not a CSV text file: its first line contains control characters",
            "CSV text: a header line naming the columns, then one line per row",
        )
    counts = {d: _split_outside_quotes(header, d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    if counts[delimiter] == 0:
        delimiter = ","
    names, notes = _column_names(header, delimiter)
    if delimiter != ",":
        notes.append(f"columns are separated by {_DELIMITER_NAMES[delimiter]}s, not commas")
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            return _problem(
                f"names column '{name}' twice in its header (columns {seen[name]} and "
                f"{position})",
                "each column named once",
            )
        seen[name] = position
    return {
        "ok": True,
        "format": "csv",
        "delimiter": delimiter,
        "columns": names,
        "notes": notes,
        "header_is_utf8": header_is_utf8,
    }


def csv_encoding(path: str | os.PathLike, chunk_bytes: int = 1 << 24) -> dict[str, Any]:
    """Decide how to read a CSV file that DuckDB found is not valid UTF-8.

    Returns ``{"encoding": "latin-1", "first_non_utf8_line": n}`` when the bytes that are
    not UTF-8 all fit ISO-8859-1 (Latin-1) and nothing else in the file is multi-byte
    UTF-8; ``{"encoding": "utf-8"}`` if the file is valid UTF-8 after all; and
    ``{"encoding": None, "problem": ..., "expected": ...}`` otherwise: a Windows-1252 file
    (bytes 0x80-0x9F, e.g. curly quotes or the euro sign, which DuckDB cannot decode
    without an extension) or a file that mixes UTF-8 and Latin-1 text, where any choice
    would garble some values. Line numbers count from 1, the header being line 1.
    """
    path = Path(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    first: dict[str, int] = {}
    line = 1
    pending = b""
    with opener(path, "rb") as fh:
        while True:
            chunk = fh.read(chunk_bytes)
            data = pending + chunk
            if not data:
                break
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            if cut == 0:
                pending = data
                continue
            # cut at a line break: a multi-byte character never spans two blocks
            block, pending = data[:cut], data[cut:]
            text = block.decode("utf-8", errors="surrogateescape")
            for kind, pattern in _ENCODING_PATTERNS.items():
                if kind not in first and (found := pattern.search(text)):
                    first[kind] = line + text.count("\n", 0, found.start())
            line += text.count("\n")
            if not chunk:
                break
    if "not_utf8" not in first:
        return {"encoding": "utf-8"}
    fix = (
        "UTF-8 text: re-save the file as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f cp1252 -t "
        "utf-8 in.csv > out.csv)"
    )
    if "c1" in first:
        return {
            "encoding": None,
            "problem": (
                f"is not UTF-8 text (first at line {first['not_utf8']}) and has bytes "
                f"0x80-0x9F (line {first['c1']}), as Windows-1252 exports do for curly quotes "
                "and the euro sign; DuckDB cannot decode those"
            ),
            "expected": fix,
        }
    if "utf8" in first:
        return {
            "encoding": None,
            "problem": (
                f"mixes encodings: line {first['not_utf8']} is not UTF-8 but line "
                f"{first['utf8']} has UTF-8 text beyond ASCII, so no single encoding reads "
                "it without garbling some values"
            ),
            "expected": fix,
        }
    return {"encoding": "latin-1", "first_non_utf8_line": first["not_utf8"]}


# bytes that are not UTF-8 come back from surrogateescape as U+DC80..U+DCFF
_ENCODING_PATTERNS = {
    "not_utf8": re.compile("[\udc80-\udcff]"),
    "c1": re.compile("[\udc80-\udc9f]"),
    "utf8": re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]"),
}


# ---------------------------------------------------------------------------
# dbt-duckdb plugin
# ---------------------------------------------------------------------------


def absolute_path(path: str) -> str:
    """``path`` made absolute against the folder dbt runs in (``~`` expanded), so that a
    view over a relative DATA_DIR still reads its file from another working directory."""
    return os.path.abspath(os.path.expanduser(path))


def _json_udf(function):
    def udf(path: str) -> str:
        try:
            return json.dumps(function(path))
        except Exception as exc:  # noqa: BLE001 -- a check must never crash the query calling it
            return json.dumps(
                {
                    "ok": False,
                    "encoding": None,
                    "problem": f"could not be checked ({exc.__class__.__name__}: {exc})",
                    "expected": "a readable CSV or Parquet file",
                }
            )

    return udf


def _make_plugin_class():
    from dbt.adapters.duckdb.plugins import BasePlugin
    from dbt_common.exceptions import DbtRuntimeError

    class Plugin(BasePlugin):
        """dbt-duckdb plugin: a clear error for a locked warehouse, and the file checks as
        SQL functions for the ``on-run-start`` hook."""

        def update_connection_config(self, creds, config) -> None:
            problem = settings_problem(config) or warehouse_problem(creds.path)
            if problem:
                raise DbtRuntimeError(problem)

        def configure_connection(self, conn) -> None:
            from duckdb import sqltypes

            conn.create_function(
                "customer_behavior_absolute_path",
                absolute_path,
                [sqltypes.VARCHAR],
                sqltypes.VARCHAR,
                side_effects=True,
            )
            for name, function in (
                ("customer_behavior_inspect_file", inspect_file),
                ("customer_behavior_csv_encoding", csv_encoding),
            ):
                conn.create_function(
                    name,
                    _json_udf(function),
                    [sqltypes.VARCHAR],
                    sqltypes.VARCHAR,
                    side_effects=True,
                )

    return Plugin


def __getattr__(name: str):
    # The plugin class subclasses dbt-duckdb's BasePlugin; importing dbt takes ~2 s, so it
    # is built only when dbt asks for it, not when the CLI imports this module.
    if name == "Plugin":
        plugin = _make_plugin_class()
        globals()["Plugin"] = plugin
        return plugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
