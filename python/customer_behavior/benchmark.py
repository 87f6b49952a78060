"""Benchmark: the dbt + DuckDB build against the pandas + scikit-learn way, on the same data.

``customer-behavior bench --sizes 100k,1m --out BENCHMARKS.md`` (or ``make bench``) does, for
each named size:

1. **generate** contract-shaped Parquet with :func:`customer_behavior.generate.generate`
   (``SIZES`` presets, or a count such as ``2k``), unless the same data is already there;
2. **dbt, core scope** -- ``dbt build`` of exactly the models the pandas baseline
   reimplements (staging, intermediate, the core and behaviour marts, data quality, the
   segmentation) and their tests, into a fresh DuckDB file;
3. **dbt, whole project** (``--scope core,whole``) -- the whole ``dbt build`` as ``make build``
   runs it, into another fresh file;
4. **pandas** -- :mod:`customer_behavior.pandas_baseline` on the same files with the same
   segmentation settings.

Every step is a child process measured the same way (:func:`measure`): wall time, CPU time,
and peak memory -- the larger of the child's own ``ru_maxrss`` (``os.wait4``) and the largest
sum of resident memory over the child's process tree seen by polling ``/proc`` every 0.1 s.
A memory cap (``--memory-cap``, default 16 GiB, lowered to what the machine has free) is
enforced by that poller: a child that goes over it is killed and recorded as
``killed_memory_cap`` (a clean "ran out of memory", instead of the machine thrashing or the
kernel's OOM killer picking a victim). dbt's per-node timings come from its
``run_results.json`` and are summed per stage (seed, staging, intermediate, marts, segments,
tests); the dbt-duckdb spill folder is polled for the peak bytes spilled.

Results are written into the Markdown file given by ``--out`` as one block per size between
``<!-- bench:SIZE -->`` markers (re-running a size replaces its block, other text is kept),
plus a summary table rebuilt from every block present, and as JSON (``--json``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "Measurement",
    "dbt_stage_seconds",
    "format_bytes",
    "measure",
    "parse_bytes",
    "parse_size",
    "run_benchmark",
    "update_markdown",
]

GiB = 1024**3
PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_ORDERS_PER_CUSTOMER = 9.75  # ~20 order lines per customer, as the SIZES presets

#: The models the pandas baseline reimplements; ``dbt build --select`` of these and their
#: upstream (with cautious indirect selection: only tests whose every parent is selected).
CORE_SELECTION = [
    "+customers",
    "+orders",
    "+income_by_age_group",
    "+purchase_frequency_by_region",
    "+purchase_frequency_by_region_age_group",
    "+channel_product_spend",
    "+rejected_rows",
    "+row_reconciliation",
    "+quality_flags",
    "+customer_segments",
    "+segment_profiles",
    "+segment_stability",
    "+segment_assignments_sql",
]
STAGES = ("seed", "staging", "intermediate", "marts", "segments", "tests", "other")
SEGMENT_VARS = (
    "segment_k",
    "segment_k_min",
    "segment_k_max",
    "segment_random_state",
    "segment_fit_sample_size",
    "segment_metric_sample_size",
)
SEGMENT_DEFAULTS = {
    "segment_k": None,
    "segment_k_min": 2,
    "segment_k_max": 8,
    "segment_random_state": 0,
    "segment_fit_sample_size": 50_000,
    "segment_metric_sample_size": 5_000,
}


# --------------------------------------------------------------------------------------
# sizes and units
# --------------------------------------------------------------------------------------
def parse_size(text: str) -> dict:
    """A named ``SIZES`` preset (``100k``, ``1m``, ``100m-lines``) or a customer count
    (``2000``, ``2k``, ``1.5m``). Returns ``{"name", "n_customers", "orders_per_customer",
    "dirty_rate"}``."""
    from customer_behavior.generate import SIZES

    name = text.strip().lower()
    if name in SIZES:
        spec = SIZES[name]
        return {
            "name": name,
            "n_customers": int(spec["n_customers"]),
            "orders_per_customer": float(spec.get("orders_per_customer", 6.0)),
            "dirty_rate": float(spec.get("dirty_rate", 0.0)),
        }
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", name.replace("_", "").replace(",", ""))
    if not match:
        raise ValueError(
            f"unknown size {text!r}: use one of {', '.join(SIZES)} or a customer count "
            "such as 2000, 2k or 1.5m"
        )
    n = float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)]
    if n < 100 or n != int(n):
        raise ValueError(f"size {text!r}: need a whole number of at least 100 customers")
    return {
        "name": name,
        "n_customers": int(n),
        "orders_per_customer": BENCH_ORDERS_PER_CUSTOMER,
        "dirty_rate": 0.0,
    }


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


def parse_bytes(text: str) -> int:
    """``16GiB``, ``4GB``, ``512MiB`` or a plain number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not an amount of memory: {text!r} (e.g. 16GiB, 4GB, 512MiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_bytes(n: float | None) -> str:
    if n is None:
        return "–"
    if n >= GiB:
        return f"{n / GiB:.2f} GiB"
    return f"{n / 1024**2:.0f} MiB"


def format_seconds(s: float | None) -> str:
    if s is None:
        return "–"
    return f"{s:.1f} s" if s < 600 else f"{s / 60:.1f} min"


# --------------------------------------------------------------------------------------
# measuring a child process
# --------------------------------------------------------------------------------------
@dataclass
class Measurement:
    """What one measured child process did."""

    label: str
    command: list[str]
    status: str = "ok"  # ok | failed | killed_memory_cap | timeout
    returncode: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_bytes: int = 0
    peak_tree_rss_bytes: int = 0
    max_rss_bytes: int = 0
    peak_spill_bytes: int = 0
    peak_at: float | None = None  # Unix time of the largest process-tree sample
    memory_cap_bytes: int | None = None
    detail: str = ""
    log: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    found.extend(int(c) for c in fh.read().split())
            except OSError:
                continue
    except OSError:
        pass
    return found


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 once it is gone)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(_children(p))
    return total


def _dir_bytes(path: Path | None) -> int:
    if path is None:
        return 0
    total = 0
    try:
        for root, _dirs, files in os.walk(path):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    continue
    except OSError:
        return 0
    return total


def available_memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure(
    label: str,
    command: list[str],
    *,
    cwd: Path | str | None = None,
    env: dict | None = None,
    memory_cap_bytes: int | None = None,
    spill_dir: Path | None = None,
    timeout: float | None = None,
    log_path: Path | None = None,
    poll_interval: float = 0.1,
) -> Measurement:
    """Run ``command`` as a child and measure wall time, CPU time and peak memory.

    Output goes to ``log_path`` (or is discarded). The child runs in its own session, so
    that a cap or timeout kills its whole process tree.
    """
    m = Measurement(label=label, command=[str(c) for c in command],
                    memory_cap_bytes=memory_cap_bytes)
    sink = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            m.command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        rusage = None
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                rusage = usage
                break
            tree = _tree_rss(proc.pid)
            if tree > m.peak_tree_rss_bytes:
                m.peak_tree_rss_bytes, m.peak_at = tree, time.time()
            if spill_dir is not None:
                m.peak_spill_bytes = max(m.peak_spill_bytes, _dir_bytes(spill_dir))
            reason = None
            if memory_cap_bytes and tree > memory_cap_bytes:
                reason = "killed_memory_cap"
                m.detail = (f"resident memory of the process tree reached {format_bytes(tree)}, "
                            f"over the cap of {format_bytes(memory_cap_bytes)}: killed")
            elif timeout and time.perf_counter() - started > timeout:
                reason = "timeout"
                m.detail = f"still running after {timeout:.0f} s: killed"
            if reason:
                m.status = reason
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _pid, wait_status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(poll_interval)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
    finally:
        if log_path:
            sink.close()
    m.seconds = round(time.perf_counter() - started, 3)
    m.returncode = proc.returncode
    m.cpu_seconds = round(rusage.ru_utime + rusage.ru_stime, 3)
    m.max_rss_bytes = int(rusage.ru_maxrss) * 1024  # Linux: KiB
    m.peak_rss_bytes = max(m.max_rss_bytes, m.peak_tree_rss_bytes)
    if m.status == "ok" and m.returncode != 0:
        m.status = "failed"
    if log_path:
        m.log = str(log_path)
        if m.status == "failed":
            m.detail = _failure_summary(log_path, m.returncode)
    return m


def _failure_summary(log_path: Path, returncode: int) -> str:
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        text = ""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    for pattern in ("MemoryError", "Out of Memory Error", "OutOfMemoryException",
                    "std::bad_alloc", "ArrowMemoryError", "Cannot allocate memory"):
        if pattern in text:
            return f"out of memory ({pattern}), exit code {returncode}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    tail = (errors or lines)[-1:] or [""]
    if returncode < 0:
        return f"killed by signal {-returncode}: {tail[0][:300]}"
    return f"exit code {returncode}: {tail[0][:300]}"


# --------------------------------------------------------------------------------------
# dbt stages
# --------------------------------------------------------------------------------------
def _stage_of(unique_id: str, path: str) -> str:
    kind = unique_id.split(".", 1)[0]
    if kind == "seed":
        return "seed"
    if kind in ("test", "unit_test"):
        return "tests"
    if kind == "model":
        for stage in ("staging", "intermediate", "marts", "segments"):
            if path.startswith((f"models/{stage}/", f"{stage}/")):
                return stage
    return "other"


def _epoch(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return dt.datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def dbt_stage_seconds(target_dir: Path, peak_at: float | None = None) -> dict:
    """Per-stage sums of node execution time from dbt's run_results.json (+ manifest.json
    for each model's folder), the slowest nodes, node counts by status, and (given the time
    memory peaked) the nodes that were running at that moment."""
    results = json.loads((target_dir / "run_results.json").read_text())
    try:
        nodes = json.loads((target_dir / "manifest.json").read_text())["nodes"]
    except (OSError, KeyError, ValueError):
        nodes = {}
    stages = dict.fromkeys(STAGES, 0.0)
    counts: dict[str, int] = {}
    slowest, at_peak = [], []
    for r in results["results"]:
        uid = r["unique_id"]
        path = nodes.get(uid, {}).get("original_file_path", "")
        stage = _stage_of(uid, path)
        stages[stage] += float(r.get("execution_time") or 0.0)
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        slowest.append((float(r.get("execution_time") or 0.0), uid))
        spans = [(_epoch(t.get("started_at")), _epoch(t.get("completed_at")))
                 for t in r.get("timing") or []]
        starts = [a for a, _b in spans if a is not None]
        ends = [b for _a, b in spans if b is not None]
        if peak_at is not None and starts and ends and min(starts) <= peak_at <= max(ends):
            at_peak.append(uid)
    slowest.sort(reverse=True)
    return {
        "stages": {k: round(v, 2) for k, v in stages.items()},
        "node_seconds": round(sum(stages.values()), 2),
        "elapsed": round(float(results.get("elapsed_time") or 0.0), 2),
        "statuses": counts,
        "slowest": [{"node": uid, "seconds": round(s, 2)} for s, uid in slowest[:8]],
        "running_at_peak": at_peak,
    }


# --------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------
def _versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "numpy", "pyarrow",
                 "scikit-learn"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": total,
        "os": f"{platform.system()} {platform.release()}",
    }


def _generate(spec: dict, data_dir: Path, seed: int) -> dict:
    """Generate the size into ``data_dir`` unless the same data is already there."""
    from customer_behavior.generate import generate

    wanted = {"n_customers": spec["n_customers"], "orders_per_customer":
              spec["orders_per_customer"], "dirty_rate": spec["dirty_rate"], "seed": seed,
              "format": "parquet"}
    marker = data_dir / "bench_manifest.json"
    if marker.exists():
        try:
            saved = json.loads(marker.read_text())
            if saved.get("args") == wanted:
                return {"reused": True, "seconds": None, "rows": saved["rows"]}
        except ValueError:
            pass
    if data_dir.exists():
        shutil.rmtree(data_dir)
    started = time.perf_counter()
    result = generate(
        data_dir, spec["n_customers"], fmt="parquet", seed=seed,
        orders_per_customer=spec["orders_per_customer"], dirty_rate=spec["dirty_rate"],
        progress=None,
    )
    seconds = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps({"args": wanted, "rows": result["rows"]}, indent=2))
    return {"reused": False, "seconds": seconds, "rows": result["rows"]}


def _dbt_env(project_dir: Path, warehouse: Path, threads: str, memory_limit: str,
             temp_dir: Path) -> dict:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CUSTOMER_BEHAVIOR_WAREHOUSE": str(warehouse),
        "CUSTOMER_BEHAVIOR_THREADS": str(threads),
        "CUSTOMER_BEHAVIOR_MEMORY_LIMIT": str(memory_limit),
        "CUSTOMER_BEHAVIOR_TEMP_DIR": str(temp_dir),
    }


def _dbt_command(dbt: Path, scope: str, work: Path, dbt_vars: dict) -> list[str]:
    cmd = [str(dbt), "build", "--target-path", str(work / "target"), "--log-path",
           str(work / "logs"), "--vars", json.dumps(dbt_vars, sort_keys=True)]
    if scope == "core":
        cmd += ["--select", *CORE_SELECTION, "--indirect-selection", "cautious"]
    return cmd


def _pandas_command(data_dir: Path, out_dir: Path, timings: Path, seg: dict) -> list[str]:
    cmd = [sys.executable, "-m", "customer_behavior.pandas_baseline", "--data-dir",
           str(data_dir), "--out", str(out_dir), "--timings", str(timings)]
    for name in SEGMENT_VARS:
        value = seg.get(name)
        if value is not None and str(value).strip() not in ("", "None"):
            cmd += ["--" + name.replace("_", "-"), str(int(value))]
    return cmd


def run_benchmark(
    sizes: list[str],
    *,
    data_root: Path,
    work_root: Path,
    scopes: tuple[str, ...] = ("core", "whole"),
    dbt_vars: dict | None = None,
    threads: str = "2",
    memory_limit: str = "2GB",
    temp_dir: Path | None = None,
    memory_cap_bytes: int | None = 16 * GiB,
    timeout: float | None = None,
    seed: int = 42,
    keep_data: bool = False,
    run_pandas: bool = True,
    project_dir: Path | None = None,
    label: str | None = None,
    echo=print,
) -> list[dict]:
    """Run the benchmark for each size and return one result dict per size.

    ``project_dir`` is the dbt project to build (default: the one this package belongs to);
    pointing it at a modified copy A/B-tests a change on the same data. ``label`` is added
    to the size's name in the results (``1m-pinned-k``), so that runs of one size with other
    settings get their own block.
    """
    project_dir = Path(project_dir or PROJECT_DIR).resolve()
    temp_dir = Path(temp_dir).resolve() if temp_dir else None
    dbt = Path(sys.executable).parent / "dbt"
    dbt_vars = dict(dbt_vars or {})
    seg = {**SEGMENT_DEFAULTS, **{k: v for k, v in dbt_vars.items() if k in SEGMENT_VARS}}
    results = []
    for text in sizes:
        spec = parse_size(text)
        name = spec["name"]
        data_dir = (Path(data_root) / name).resolve()
        work = (Path(work_root) / name).resolve()
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        load = os.getloadavg()
        available = available_memory_bytes()
        cap = memory_cap_bytes
        if cap and available:
            cap = min(cap, max(available - GiB, GiB))
        started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        echo(f"[{name}] load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
             f"memory available {format_bytes(available)}; cap {format_bytes(cap)}")
        echo(f"[{name}] generating {spec['n_customers']:,} customers into {data_dir} ...")
        generated = _generate(spec, data_dir, seed)
        rows = generated["rows"]
        echo(f"[{name}] data: {rows['customers']:,} customers, {rows['orders']:,} order lines"
             + (" (reused)" if generated["reused"] else f" in {generated['seconds']} s"))
        vars_for_run = {"data_dir": str(data_dir.resolve()), **dbt_vars}
        result = {
            "size": f"{name}-{label}" if label else name,
            "spec": spec,
            "rows": rows,
            "generate_seconds": generated["seconds"],
            "started_at": started_at.isoformat(),
            "load_average": [round(x, 2) for x in load],
            "memory_available_bytes": available,
            "memory_cap_bytes": cap,
            "machine": _machine(),
            "versions": _versions(),
            "project_dir": str(project_dir),
            "settings": {"threads": str(threads), "memory_limit": str(memory_limit),
                         "dbt_vars": vars_for_run, "segmentation": seg},
            "runs": {},
        }
        for scope in scopes:
            run_dir = work / f"dbt-{scope}"
            run_dir.mkdir()
            spill = Path(temp_dir) / f"{name}-{scope}" if temp_dir else run_dir / "spill"
            cmd = _dbt_command(dbt, scope, run_dir, vars_for_run)
            echo(f"[{name}] dbt build ({scope}) ...")
            m = measure(
                f"dbt-{scope}", cmd, cwd=project_dir,
                env=_dbt_env(project_dir, run_dir / "warehouse.duckdb", threads, memory_limit,
                             spill),
                memory_cap_bytes=cap, spill_dir=spill, timeout=timeout,
                log_path=run_dir / "dbt.log",
            )
            try:
                m.extra = dbt_stage_seconds(run_dir / "target", m.peak_at)
            except (OSError, ValueError, KeyError):
                m.extra = {}
            try:
                m.extra["warehouse_bytes"] = (run_dir / "warehouse.duckdb").stat().st_size
            except OSError:
                pass
            echo(f"[{name}] dbt build ({scope}): {m.status} in {format_seconds(m.seconds)}, "
                 f"peak {format_bytes(m.peak_rss_bytes)}"
                 + (f" ({m.detail})" if m.detail else ""))
            result["runs"][f"dbt-{scope}"] = asdict(m)
            shutil.rmtree(spill, ignore_errors=True)
        if run_pandas:
            pd_dir = work / "pandas"
            pd_dir.mkdir()
            timings = pd_dir / "timings.json"
            echo(f"[{name}] pandas baseline ...")
            m = measure(
                "pandas", _pandas_command(data_dir, pd_dir / "out", timings, seg),
                cwd=project_dir, env={**os.environ}, memory_cap_bytes=cap, timeout=timeout,
                log_path=pd_dir / "pandas.log",
            )
            if timings.exists():
                m.extra = json.loads(timings.read_text())
            echo(f"[{name}] pandas: {m.status} in {format_seconds(m.seconds)}, "
                 f"peak {format_bytes(m.peak_rss_bytes)}" + (f" ({m.detail})" if m.detail else ""))
            result["runs"]["pandas"] = asdict(m)
        results.append(result)
        # outputs are large; the measurements are in the result
        for sub in work.iterdir():
            for big in ("warehouse.duckdb", "out", "spill"):
                target = sub / big
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                elif target.exists():
                    target.unlink()
        if not keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    return results


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------
_BLOCK = re.compile(r"<!-- bench:(?P<size>[\w.-]+) -->\n(?P<body>.*?)<!-- /bench:(?P=size) -->\n?",
                    re.DOTALL)
_DATA = re.compile(r"<!-- bench-data (?P<json>\{.*?\}) -->", re.DOTALL)
_SUMMARY = re.compile(r"<!-- bench-summary -->\n.*?<!-- /bench-summary -->\n?", re.DOTALL)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.1f}×"


def _run_cell(run: dict | None, key: str) -> str:
    if not run:
        return "not run"
    if key == "seconds":
        return format_seconds(run["seconds"]) + ("" if run["status"] == "ok" else f" ({run['status']})")
    return format_bytes(run["peak_rss_bytes"])


def _summary_rows(result: dict) -> list[str]:
    runs = result["runs"]
    pandas, core, whole = runs.get("pandas"), runs.get("dbt-core"), runs.get("dbt-whole")
    ok = lambda r: r is not None and r["status"] == "ok"
    time_ratio = _ratio(pandas["seconds"], core["seconds"]) if ok(pandas) and ok(core) else "–"
    mem_ratio = (_ratio(pandas["peak_rss_bytes"], core["peak_rss_bytes"])
                 if ok(pandas) and ok(core) else "–")
    if pandas and not ok(pandas) and ok(core):
        time_ratio = mem_ratio = f"pandas {pandas['status']}"
    rows = result["rows"]
    return [
        (
            f"| {result['size']} | {rows['customers']:,} | {rows['orders']:,} "
            f"| {_run_cell(core, 'seconds')} | {_run_cell(core, 'peak')} "
            f"| {_run_cell(pandas, 'seconds')} | {_run_cell(pandas, 'peak')} "
            f"| {time_ratio} | {mem_ratio} "
            f"| {_run_cell(whole, 'seconds')} | {_run_cell(whole, 'peak')} |"
        )
    ]


def summary_table(results: list[dict]) -> str:
    head = [
        (
            "| size | customers | order lines | dbt core: time | dbt core: peak "
            "| pandas: time | pandas: peak | time ratio (pandas / dbt) "
            "| memory ratio (pandas / dbt) | dbt whole project: time | dbt whole project: peak |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    body = []
    for result in sorted(results, key=lambda r: r["rows"]["orders"]):
        body += _summary_rows(result)
    return "\n".join(head + body)


def _stage_table(result: dict) -> str:
    lines = ["| stage | " + " | ".join(k for k in result["runs"] if k.startswith("dbt-")) + " |",
             "|---|" + "---:|" * sum(k.startswith("dbt-") for k in result["runs"])]
    dbt_runs = {k: v for k, v in result["runs"].items() if k.startswith("dbt-")}
    for stage in STAGES:
        cells = []
        for run in dbt_runs.values():
            value = (run.get("extra") or {}).get("stages", {}).get(stage)
            cells.append("–" if value is None else f"{value:.1f} s")
        if all(c in ("–", "0.0 s") for c in cells):
            continue
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    cells = [f"{(r.get('extra') or {}).get('node_seconds', 0):.1f} s" for r in dbt_runs.values()]
    lines.append("| sum of node times | " + " | ".join(cells) + " |")
    cells = [format_seconds(r["seconds"]) for r in dbt_runs.values()]
    lines.append("| wall clock, whole command | " + " | ".join(cells) + " |")
    cells = [f"{r['cpu_seconds']:.0f} s" for r in dbt_runs.values()]
    lines.append("| CPU time (user + system) | " + " | ".join(cells) + " |")
    cells = [format_bytes(r["peak_spill_bytes"]) for r in dbt_runs.values()]
    lines.append("| peak spilled to temp_directory | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_block(result: dict) -> str:
    """The Markdown block for one size (with its data as a JSON comment)."""
    r = result
    m, v = r["machine"], r["versions"]
    runs = r["runs"]
    lines = [
        (
            f"### {r['size']}: {r['rows']['customers']:,} customers, {r['rows']['orders']:,} "
            f"order lines, {r['rows'].get('campaign_responses', 0):,} campaign responses"
        ),
        "",
        (
            f"Run {r['started_at']} on {m['cpu']} ({m['cores']} cores, "
            f"{format_bytes(m['memory_bytes'])} RAM, {m['os']}); load average at start "
            f"{' / '.join(f'{x:.2f}' for x in r['load_average'])} (1 / 5 / 15 min); memory "
            f"available at start {format_bytes(r['memory_available_bytes'])}, cap per process "
            f"tree {format_bytes(r['memory_cap_bytes'])}. "
            f"Python {v['python']}, dbt-core {v['dbt-core']}, dbt-duckdb {v['dbt-duckdb']}, "
            f"DuckDB {v['duckdb']}, pandas {v['pandas']}, NumPy {v['numpy']}, pyarrow "
            f"{v['pyarrow']}, scikit-learn {v['scikit-learn']}. DuckDB threads "
            f"{r['settings']['threads']}, memory_limit {r['settings']['memory_limit']}."
        ),
        "",
        "| run | status | wall clock | CPU time | peak memory | notes |",
        "|---|---|---:|---:|---:|---|",
    ]
    for key, run in runs.items():
        note = run.get("detail") or ""
        if key.startswith("dbt-"):
            extra = run.get("extra") or {}
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(extra.get("statuses", {}).items()))
            note = "; ".join(x for x in (statuses, note) if x)
        lines.append(
            f"| {key} | {run['status']} | {format_seconds(run['seconds'])} "
            f"| {run['cpu_seconds']:.0f} s | {format_bytes(run['peak_rss_bytes'])} | {note} |"
        )
    pandas, core = runs.get("pandas"), runs.get("dbt-core")
    if pandas and core and pandas["status"] == "ok" and core["status"] == "ok":
        lines += [
            "",
            (
                f"Ratio pandas / dbt core: time **{_ratio(pandas['seconds'], core['seconds'])}**, "
                f"CPU time {_ratio(pandas['cpu_seconds'], core['cpu_seconds'])}, peak memory "
                f"**{_ratio(pandas['peak_rss_bytes'], core['peak_rss_bytes'])}**."
            ),
        ]
    lines += ["", ("dbt node time per stage (summed over nodes; with the profile's default of one "
                   "model at a time the sum is the wall clock less dbt's start-up and parsing):"),
              "", _stage_table(r)]
    if pandas and pandas.get("extra", {}).get("stages"):
        stages = pandas["extra"]["stages"]
        lines += ["", "pandas stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
                  + "."]
    for key, run in runs.items():
        slow = (run.get("extra") or {}).get("slowest") if key.startswith("dbt-") else None
        at_peak = (run.get("extra") or {}).get("running_at_peak") if key.startswith("dbt-") else None
        if at_peak:
            lines += ["", f"Running when the memory of {key} peaked: " + ", ".join(
                f"`{uid.split('.')[2] if uid.startswith('test.') else uid.split('.')[-1]}`"
                for uid in at_peak) + "."]
        if slow:
            lines += ["", f"Slowest nodes ({key}): " + ", ".join(
                f"`{s['node'].split('.')[-1] if s['node'].startswith('model.') else s['node'].split('.')[2]}` "
                f"{s['seconds']:.1f} s" for s in slow[:6]) + "."]
    seg = r["settings"]["segmentation"]
    lines += ["", "Segmentation settings (both sides): " + ", ".join(
        f"{k}={v}" for k, v in seg.items()) + "."]
    data = {k: v for k, v in r.items()}
    data["runs"] = {k: {kk: vv for kk, vv in run.items() if kk not in ("log",)}
                    for k, run in runs.items()}
    lines += ["", f"<!-- bench-data {json.dumps(data, sort_keys=True)} -->"]
    return "\n".join(lines) + "\n"


def update_markdown(path: Path, results: list[dict], header: str | None = None) -> str:
    """Put each result's block into ``path`` (replacing the same size's block, keeping all
    other text) and rebuild the summary table from every block in the file."""
    text = path.read_text() if path.exists() else (header or _DEFAULT_HEADER)
    for result in results:
        block = f"<!-- bench:{result['size']} -->\n{render_block(result)}<!-- /bench:{result['size']} -->\n"
        pattern = re.compile(
            rf"<!-- bench:{re.escape(result['size'])} -->\n.*?<!-- /bench:{re.escape(result['size'])} -->\n?",
            re.DOTALL,
        )
        if pattern.search(text):
            text = pattern.sub(lambda _m, block=block: block, text)
        else:
            text = text.rstrip("\n") + "\n\n" + block
    all_results = []
    for match in _BLOCK.finditer(text):
        data = _DATA.search(match.group("body"))
        if data:
            all_results.append(json.loads(data.group("json")))
    summary = f"<!-- bench-summary -->\n{summary_table(all_results)}\n<!-- /bench-summary -->\n"
    if _SUMMARY.search(text):
        text = _SUMMARY.sub(lambda _m: summary, text)
    else:
        first = _BLOCK.search(text)
        at = first.start() if first else len(text)
        text = text[:at] + summary + "\n" + text[at:]
    path.write_text(text)
    return text


_DEFAULT_HEADER = """# Benchmarks

Generated by `customer-behavior bench` (see `python/customer_behavior/benchmark.py`).

"""

