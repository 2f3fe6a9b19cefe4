"""The machine a run happened on, and the tables it prints."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import workloads as wl

NAMES = {wl.OURS: "ours", wl.POSTGRAPHILE: "PostGraphile", wl.FLOOR: "floor"}


def _first_line(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "missing"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if (done.stdout or done.stderr)
        else "?"
    )


def machine(admin_url: str, node: Path, postgraphile: Path) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])

    async def postgres_version() -> str:
        connection = await asyncpg.connect(admin_url)
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    package = postgraphile / "node_modules" / "postgraphile" / "package.json"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(memory_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": asyncio.run(postgres_version()),
        "node": _first_line(str(node), "--version") if node.exists() else "missing",
        "postgraphile": json.loads(package.read_text())["version"]
        if package.exists()
        else "missing",
        "wrk": _first_line("wrk", "--version").split(" [")[0],
        "load_average": os.getloadavg()[0],
    }


def describe(m: dict[str, Any]) -> str:
    return (
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}, Node {m['node']}, "
        f"PostGraphile {m['postgraphile']}, {m['wrk']}; load average {m['load_average']:.2f}"
    )


def compare(answers: dict[str, dict[str, Any]]) -> list[str]:
    """Workloads whose servers answered the same request differently (ids left out)."""
    found = []
    for workload, by_server in answers.items():
        reference = by_server.get(wl.FLOOR) or next(iter(by_server.values()))
        found += [
            f"{workload}: {NAMES[server]} answers differently from the floor"
            for server, answer in by_server.items()
            if answer != reference
        ]
    return found


def _statements(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def render(
    m: dict[str, Any],
    args: Any,
    seconds_to_seed: float,
    seed_summary: str,
    results: Sequence[Any],
    mismatches: list[str],
) -> str:
    rows = seed_summary.strip().splitlines()[-1].split()[-1] if seed_summary.strip() else "?"
    lines = [
        f"Measured {m['date']}. {describe(m)}.",
        "",
        (
            f"Data: `crm seed --accounts {args.accounts}` ({rows} rows)"
            f" in {seconds_to_seed:.1f} s. "
            f"Load: wrk, {args.threads} thread, {args.connections} connections, "
            f"{args.duration:g} s per run after a {args.warmup:g} s warm-up, loopback."
        ),
        "",
        (
            "| workers | workload | server | req/s | p50 ms | p99 ms | SQL/req | all statements/req"
            " | peak RSS MB | errors | others' CPU |"
        ),
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if not r.supported:
            lines.append(
                f"| {r.workers} | {r.workload} | {NAMES[r.server]} | not yet supported"
                " | | | | | | | |"
            )
            continue
        latency = (
            f"{r.p50_ms:.1f} | {r.p99_ms:.1f}" if r.requests_per_s else "- | -"
        )  # no request finished within the run
        lines.append(
            f"| {r.workers} | {r.workload} | {NAMES[r.server]} | {r.requests_per_s:,.0f}"
            f" | {latency} | {_statements(r.sql_per_request)}"
            f" | {_statements(r.round_trips_per_request)} | {r.peak_rss_mb:,.0f} | {r.errors}"
            f" | {r.background_cpu:.0%} |"
        )
    lines += ["", *_ratios(results)]
    lines += [
        "",
        (
            "SQL/req: data statements per request; all statements adds BEGIN/COMMIT/ROLLBACK and"
            " pool pings (counted at 1 worker through bench/pgcount.py). Peak RSS: all processes"
            " of the server. Others' CPU: the share of the machine's CPUs that other processes"
            " kept busy just before the run; the machine is not isolated, and a high share lowers"
            " every figure of that run."
        ),
    ]
    if mismatches:
        lines += ["", *(f"**Warning:** {line}" for line in mismatches)]
    return "\n".join(lines) + "\n"


def _ratios(results: Sequence[Any]) -> list[str]:
    rate = {(r.workers, r.workload, r.server): r for r in results}
    lines = [
        (
            "| workers | workload | ours req/s | PostGraphile req/s | floor req/s"
            " | ours ÷ PostGraphile | ours ÷ floor |"
        ),
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for workers, workload in dict.fromkeys((r.workers, r.workload) for r in results):
        cells = []
        for server in wl.SERVERS:
            r = rate.get((workers, workload, server))
            cells.append(
                f"{r.requests_per_s:,.0f}" if r and r.supported else "-" if r is None else "n/a"
            )
        ours = rate.get((workers, workload, wl.OURS))
        ratios = []
        for server in (wl.POSTGRAPHILE, wl.FLOOR):
            other = rate.get((workers, workload, server))
            if ours and ours.supported and other and other.supported and other.requests_per_s:
                ratios.append(f"{ours.requests_per_s / other.requests_per_s:.2f}×")
            else:
                ratios.append("-")
        lines.append(f"| {workers} | {workload} | {' | '.join(cells)} | {' | '.join(ratios)} |")
    return lines
