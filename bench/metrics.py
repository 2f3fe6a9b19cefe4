"""Benchmark `lifecycleMetrics`: one year by MONTH on seeded PostgreSQL data, then on a
dataset ten times larger, with p50/p99 latency and the SQL statements each request runs.

    python bench/metrics.py                      # 10,000 and 100,000 accounts
    python bench/metrics.py --accounts 1000      # a smoke run
    python bench/metrics.py --sqlite --accounts 10000   # the embedded default

Each size gets a throwaway database seeded by `crm seed` (with its lifecycle history), then
the query runs in-process through the ASGI app (the same code path as over HTTP, without the
network), sequentially: warm-up requests first, then the measured ones. Last, each statement
of a request runs again by itself, to show what it costs with the machine to itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from database import WORKSPACE, Database, crm  # noqa: E402

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from db.session import make_engine  # noqa: E402

QUERY = """
query($range: MetricsRange!) {
  lifecycleMetrics(range: $range, interval: MONTH) {
    funnel { stage current entered advanced conversionRate averageTimeInStageSeconds
             medianTimeInStageSeconds }
    pipeline { openCount openAmount { currency amount } weightedAmount { currency amount }
               wonCount lostCount winRate averageSalesCycleDays
               salesVelocityPerDay { currency amount } }
    cases { created resolved backlog medianFirstResponseSeconds p90FirstResponseSeconds
            medianResolutionSeconds slaComplianceRate escalationRate reopenRate csat }
    campaigns { campaign { name } leads convertedLeads opportunities wonOpportunities roi }
    retention { customersAtStart customersAtEnd newCustomers churnedCustomers retentionRate }
    customerLifetimeValue { customers averageOrderValue { currency amount } predictedValue {
      currency amount } }
    advocacy { advocates referredLeads referralConversionRate }
    series {
      start end
      funnel { stage current entered advanced medianTimeInStageSeconds }
      pipeline { openCount wonCount winRate weightedAmount { currency amount } }
      cases { created resolved backlog medianFirstResponseSeconds csat }
      retention { customersAtStart customersAtEnd churnRate }
      advocacy { advocates referredLeads }
    }
  }
}
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--runs", type=int, default=30, help="measured requests per size")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--sqlite", action="store_true", help="on SQLite files (the embedded default) instead"
    )
    parser.add_argument(
        "--reuse", default=None, help="measure a database kept by --keep instead of seeding one"
    )
    return parser.parse_args()


def one_year(now: datetime) -> dict[str, str]:
    """The last twelve whole months."""
    end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = end.replace(year=end.year - 1)
    return {"from": start.isoformat(), "to": end.isoformat()}


class Statements:
    """Every statement the app's engine runs, with its time."""

    def __init__(self, engine: Any) -> None:
        self.recording = False
        self.times: dict[str, list[float]] = defaultdict(list)
        self.parameters: dict[str, Any] = {}
        self.per_request: list[int] = []
        self._count = 0
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before)
        event.listen(sync, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, *_args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if self.recording:
            self.times[statement].append(time.perf_counter() - conn.info["bench_started"])
            self.parameters[statement] = parameters
            self._count += 1

    def start_request(self) -> None:
        self._count = 0

    def end_request(self) -> None:
        self.per_request.append(self._count)


async def measure(url: str, api_key: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(url)
    statements = Statements(engine)
    app = create_app(Settings(database_url=url), engine=engine)
    body = {"query": QUERY, "variables": {"range": one_year(datetime.now(UTC))}}
    headers = {"Authorization": f"Bearer {api_key}"}
    latencies: list[float] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
        ) as client,
    ):
        for index in range(args.warmup + args.runs):
            measured = index >= args.warmup
            statements.recording = measured
            statements.start_request()
            started = time.perf_counter()
            response = await client.post("/graphql", json=body, headers=headers)
            elapsed = time.perf_counter() - started
            payload = response.json()
            if response.status_code != 200 or "errors" in payload:
                raise SystemExit(f"lifecycleMetrics failed: {payload}")
            if measured:
                latencies.append(elapsed)
                statements.end_request()
    await engine.dispose()
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "statements": statements,
        "buckets": len(payload["data"]["lifecycleMetrics"]["series"]),
    }


async def alone(db: Database, statements: Statements) -> dict[str, float]:
    """Each statement of a request run by itself, best of three: what it costs with the
    machine to itself (in a request they run side by side and share the cores)."""
    connection = await asyncpg.connect(db.url())
    try:
        await connection.execute(
            "SET work_mem = '64MB'; SET max_parallel_workers_per_gather = 0; SET jit = off"
        )
        best: dict[str, float] = {}
        for sql, parameters in statements.parameters.items():
            if "set_config" in sql:
                continue
            for _ in range(3):
                started = time.perf_counter()
                await connection.fetch(sql, *parameters)
                elapsed = time.perf_counter() - started
                best[sql] = min(best.get(sql, elapsed), elapsed)
        return best
    finally:
        await connection.close()


async def vacuum(db: Database) -> None:
    """What autovacuum does soon after a bulk load; it lets index-only scans skip the table."""
    connection = await asyncpg.connect(db.url())
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def sizes(db: Database) -> dict[str, int]:
    connection = await asyncpg.connect(db.url())
    try:
        return {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("account", "contact", "opportunity", "support_case", "stage_change")
        }
    finally:
        await connection.close()


def report(accounts: int, db: Database, counts: dict[str, int], result: dict[str, Any]) -> str:
    statements: Statements = result["statements"]
    lines = [
        f"## {accounts:,} accounts",
        "",
        f"Seeded in {db.seconds_to_seed:.0f} s: "
        + ", ".join(f"{count:,} {table}" for table, count in counts.items()),
        "",
        (
            f"lifecycleMetrics, one year by MONTH ({result['buckets']} buckets), every field: "
            f"p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, "
            f"{statistics.median(statements.per_request):.0f} SQL statements per request"
        ),
        "",
        f"Each statement alone, one after the other: {sum(result['alone'].values()) * 1000:.0f} ms",
        "",
        "| mean ms in a request | alone ms | statement |",
        "|---:|---:|---|",
    ]
    for sql, times in sorted(statements.times.items(), key=lambda item: -statistics.mean(item[1])):
        words = " ".join(sql.split())
        by_itself = result["alone"].get(sql)
        alone_ms = "" if by_itself is None else f"{by_itself * 1000:.1f}"
        lines.append(f"| {statistics.mean(times) * 1000:.1f} | {alone_ms} | `{words[:100]}...` |")
    return "\n".join(lines)


def on_sqlite(accounts: int, args: argparse.Namespace) -> str:
    """The same request on a SQLite file seeded the same way, in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/crm.db"
        env = {**os.environ, "CRM_DATABASE_URL": url}
        started = time.perf_counter()
        crm("seed", "--accounts", str(accounts), "--workspace", WORKSPACE, env=env)
        seeded = time.perf_counter() - started
        key = crm("apikey", "create", "--workspace", WORKSPACE, "--name", "bench", env=env)
        result = asyncio.run(measure(url, key.strip(), args))
        with sqlite3.connect(f"{folder}/crm.db") as connection:
            changes = connection.execute("SELECT count(*) FROM stage_change").fetchone()[0]
    per_request = statistics.median(result["statements"].per_request)
    return "\n".join(
        [
            f"## {accounts:,} accounts on SQLite",
            "",
            f"Seeded in {seeded:.0f} s: {changes:,} stage_change",
            "",
            (
                f"lifecycleMetrics, one year by MONTH ({result['buckets']} buckets), every field: "
                f"p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, "
                f"{per_request:.0f} SQL statements per request"
            ),
        ]
    )


def crm_key(db: Database) -> str:
    env = {**os.environ, "CRM_DATABASE_URL": db.url(scheme="postgresql+asyncpg")}
    return crm("apikey", "create", "--workspace", WORKSPACE, "--name", "bench", env=env).strip()


def main() -> None:
    args = parse_args()
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    print(f"# lifecycleMetrics on {platform.node()}, {os.cpu_count()} CPUs, {today}")
    if args.reuse:
        db = Database(args.admin_url, name=args.reuse)
        db.api_key = crm_key(db)
        counts = asyncio.run(sizes(db))
        result = asyncio.run(measure(db.url(scheme="postgresql+asyncpg"), db.api_key, args))
        result["alone"] = asyncio.run(alone(db, result["statements"]))
        print(report(counts["account"], db, counts, result))
        return
    if args.sqlite:
        for accounts in (int(size) for size in args.accounts.split(",")):
            print(on_sqlite(accounts, args), flush=True)
        return
    for accounts in (int(size) for size in args.accounts.split(",")):
        db = Database(args.admin_url)
        try:
            db.create_and_seed(accounts)
            asyncio.run(vacuum(db))
            counts = asyncio.run(sizes(db))
            result = asyncio.run(measure(db.url(scheme="postgresql+asyncpg"), db.api_key, args))
            result["alone"] = asyncio.run(alone(db, result["statements"]))
            print(report(accounts, db, counts, result), flush=True)
        finally:
            if not args.keep:
                db.drop()
            else:
                print(f"kept database {db.name}")


if __name__ == "__main__":
    main()
