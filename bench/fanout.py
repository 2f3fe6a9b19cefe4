"""Subscription fan-out: N subscribers on one API process, a steady stream of stage changes.

    python bench/fanout.py                          # 1,000 then 10,000 subscribers
    python bench/fanout.py --subscribers 1000 --rate 5 --duration 20

It creates a throwaway PostgreSQL database (`crm seed`, as bench/run.py does), serves it
with one uvicorn process, opens N graphql-transport-ws connections with one `stageChanged`
subscription each (spread over --client-processes asyncio processes), then makes --rate
stage changes per second through the API for --duration seconds. It reports the delivery
latency (from the change's `occurredAt`, taken inside the committing transaction, to its
receipt by a subscriber) p50/p99/max, deliveries per second, the server's CPU and memory
per 1,000 subscribers, and every lost, repeated or out-of-order delivery and error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import websockets
from database import Database
from servers import Server, _tree_ticks, free_port, rss_bytes

HERE = Path(__file__).resolve().parent
SUBSCRIBE = "subscription { stageChanged { id cursor recordId toStage occurredAt } }"
CREATE = "mutation($n: String!) { accountCreate(input: {name: $n}) { account { id } } }"
MOVE = """
mutation($id: ID!, $to: LifecycleStage!) {
  accountTransition(input: {id: $id, to: $to, reason: "bench"}) { userErrors { code } }
}
"""


def machine(admin_url: str) -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])

    async def version() -> str:
        connection = await asyncpg.connect(admin_url)
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    return (
        f"Machine: {os.cpu_count()} CPUs ({fields.get('Model name', '?').strip()}), "
        f"{memory_kb / 2**20:.1f} GiB, Linux {platform.release()}; PostgreSQL "
        f"{asyncio.run(version())}, Python {platform.python_version()}, websockets "
        f"{websockets.__version__}; load average {os.getloadavg()[0]:.2f}"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", default="1000,10000", help="comma-separated runs")
    parser.add_argument("--rate", type=float, default=5.0, help="stage changes per second")
    parser.add_argument("--duration", type=float, default=30.0, help="s of changes per run")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL superuser URL; the run creates and drops its own database there",
    )
    return parser.parse_args()


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < needed:
        sys.exit(f"need {needed} open files; the hard limit is {hard} (raise it: ulimit -Hn)")


# --- subscribers: one asyncio process holds many sockets ----------------------------------


async def subscriber(
    url: str,
    key: str,
    got: list[tuple[str, float, float]],
    errors: list[str],
    ready: asyncio.Event,
    counter: list[int],
    total: int,
    handshakes: asyncio.Semaphore,
) -> None:
    try:
        await subscribe_and_read(url, key, got, errors, ready, counter, total, handshakes)
    except Exception:
        counter[1] += 1  # failed before or after subscribing: counted, never waited for
        if sum(counter) >= total:
            ready.set()
        raise


# Handshakes in flight per client process: a stampede of thousands makes a busy server
# miss the clients' opening timeouts, which measures the stampede, not the fan-out.
HANDSHAKES_IN_FLIGHT = 50


async def subscribe_and_read(
    url: str,
    key: str,
    got: list[tuple[str, float, float]],
    errors: list[str],
    ready: asyncio.Event,
    counter: list[int],
    total: int,
    handshakes: asyncio.Semaphore,
) -> None:
    async with handshakes:
        ws = await websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],
            compression=None,
            # Like graphql-ws clients in browsers: the protocol's own pings, no WebSocket ones.
            ping_interval=None,
            open_timeout=120,
            max_queue=None,
        )
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
            ).decode()
        )
        ack = orjson.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            errors.append(f"init: {ack}")
            await ws.close()
            return
        await ws.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}).decode()
        )
    counter[0] += 1
    if sum(counter) >= total:
        ready.set()
    async with ws:
        async for raw in ws:
            now = time.time()
            message = orjson.loads(raw)
            kind = message.get("type")
            if kind == "next" and "errors" not in message["payload"]:
                change = message["payload"]["data"]["stageChanged"]
                occurred = datetime.fromisoformat(change["occurredAt"]).timestamp()
                got.append((change["id"], occurred, now))
            elif kind == "ping":
                await ws.send('{"type":"pong"}')
            else:
                errors.append(str(message)[:300])


def client_process(url: str, key: str, count: int, pipe: Any) -> None:
    raise_open_files_limit(count + 100)

    async def main() -> None:
        ready = asyncio.Event()
        counter = [0, 0]  # subscribed, failed
        inboxes: list[list[tuple[str, float, float]]] = [[] for _ in range(count)]
        errors: list[str] = []
        handshakes = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
        tasks = [
            asyncio.create_task(
                subscriber(url, key, inboxes[n], errors, ready, counter, count, handshakes)
            )
            for n in range(count)
        ]
        await ready.wait()
        # Registered on the server once the subscribe message is read; give it a moment.
        await asyncio.sleep(2)
        pipe.send("subscribed")
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
        failures = [t for t in tasks if t.done() and t.exception() is not None]
        for task in tasks:
            task.cancel()
        samples = [f"socket: {t.exception()!r}" for t in failures[:5]]
        pipe.send(
            {
                "inboxes": inboxes,
                "errors": errors,
                "failed_sockets": len(failures),
                "failure_samples": samples,
            }
        )

    asyncio.run(main())


# --- the run ---------------------------------------------------------------------------------


def run_once(db: Database, subscribers: int, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    server = Server(
        name="ours",
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ws-max-size",
            "65536",
            # As `crm serve` runs it (api/cli.py).
            "--ws-ping-interval",
            "0",
            "--ws-per-message-deflate",
            "false",
        ],
        env={
            "CRM_DATABASE_URL": db.url(scheme="postgresql+asyncpg"),
            "CRM_WS_MAX_CONNECTIONS_PER_KEY": str(subscribers + 100),
        },
        port=port,
        log=HERE / "results" / f"fanout-{subscribers}.log",
    )
    server.log.parent.mkdir(exist_ok=True)
    raise_open_files_limit(subscribers + 1000)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    server.start(ready)
    assert server.process is not None
    try:
        rss_before = rss_bytes(server.process.pid)
        pipes, processes = [], []
        shares = [subscribers // args.client_processes] * args.client_processes
        shares[0] += subscribers - sum(shares)
        started = time.monotonic()
        for share in shares:
            parent, child = mp.Pipe()
            process = mp.Process(
                target=client_process,
                args=(f"ws://127.0.0.1:{port}/graphql", db.api_key, share, child),
            )
            process.start()
            pipes.append(parent)
            processes.append(process)
        for pipe in pipes:
            if pipe.recv() != "subscribed":
                raise RuntimeError("a client process failed")
        connect_seconds = time.monotonic() - started
        rss_subscribed = rss_bytes(server.process.pid)

        headers = {"Authorization": f"Bearer {db.api_key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            created = http.post("/graphql", json={"query": CREATE, "variables": {"n": "Fanout"}})
            account = created.json()["data"]["accountCreate"]["account"]["id"]
            time.sleep(2)  # the creation's deliveries are not part of the measured stream
            ticks_before, wall_before = _tree_ticks(server.process.pid), time.monotonic()
            made, mutation_errors = produce(http, account, args)
            produce_seconds = time.monotonic() - wall_before
            wait_until_idle(server.process.pid)
            busy_ticks = _tree_ticks(server.process.pid) - ticks_before
            busy_seconds = time.monotonic() - wall_before
            expected_ids = history_ids(http, account)[1:]  # the moves, in commit order

        for pipe in pipes:
            pipe.send("stop")
        results = [pipe.recv() for pipe in pipes]
        for process in processes:
            process.join(timeout=30)
    finally:
        server.stop()

    return summarise(
        subscribers,
        results,
        expected_ids,
        made,
        mutation_errors,
        produce_seconds,
        busy_ticks,
        busy_seconds,
        rss_before,
        rss_subscribed,
        connect_seconds,
    )


def produce(http: httpx.Client, account: str, args: argparse.Namespace) -> tuple[int, int]:
    """Stage changes at a steady rate for the duration: (made, refused)."""
    made, refused = 0, 0
    started = next_at = time.monotonic()
    while time.monotonic() - started < args.duration:
        to = "ACQUISITION" if made % 2 == 0 else "REACH"
        body = http.post("/graphql", json={"query": MOVE, "variables": {"id": account, "to": to}})
        answer = body.json()
        if "errors" in answer or answer["data"]["accountTransition"]["userErrors"]:
            refused += 1
        made += 1
        next_at += 1 / args.rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    return made, refused


def wait_until_idle(pid: int, limit: float = 60) -> None:
    """Until the server's deliveries are done: its CPU idle for a second (at most `limit` s)."""
    deadline = time.monotonic() + limit
    last = _tree_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = _tree_ticks(pid)
        if now - last < 0.05 * os.sysconf("SC_CLK_TCK"):
            return
        last = now


def history_ids(http: httpx.Client, account: str) -> list[str]:
    query = """query($id: ID!, $after: String) { stageChanges(first: 100, after: $after,
      filter: {recordIds: [$id]}) { nodes { id } pageInfo { hasNextPage endCursor } } }"""
    ids: list[str] = []
    after = None
    while True:
        page = http.post(
            "/graphql", json={"query": query, "variables": {"id": account, "after": after}}
        )
        connection = page.json()["data"]["stageChanges"]
        ids += [node["id"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return ids
        after = connection["pageInfo"]["endCursor"]


def summarise(
    subscribers: int,
    results: list[dict[str, Any]],
    expected_ids: list[str],
    made: int,
    mutation_errors: int,
    produce_seconds: float,
    busy_ticks: int,
    busy_seconds: float,
    rss_before: int,
    rss_subscribed: int,
    connect_seconds: float,
) -> dict[str, Any]:
    latencies, lost, repeated, out_of_order, delivered = [], 0, 0, 0, 0
    errors: list[str] = []
    failed_sockets = 0
    failure_samples: list[str] = []
    for result in results:
        errors += result["errors"]
        failure_samples += result["failure_samples"]
        failed_sockets += result["failed_sockets"]
        for inbox in result["inboxes"]:
            ids = [change_id for change_id, _, _ in inbox][1:]  # drop the creation
            moves = inbox[1:]
            delivered += len(moves)
            repeated += len(ids) - len(set(ids))
            lost += len(set(expected_ids) - set(ids))
            seen = set(ids)
            if [i for i in expected_ids if i in seen] != list(dict.fromkeys(ids)):
                out_of_order += 1
            latencies += [received - occurred for _, occurred, received in moves]
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    cpu_seconds = busy_ticks / os.sysconf("SC_CLK_TCK")
    return {
        "subscribers": subscribers,
        "changes": made,
        "changes_per_s": made / produce_seconds,
        "deliveries": delivered,
        "deliveries_per_s": delivered / busy_seconds,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "server_cpu_cores": cpu_seconds / busy_seconds,
        "cpu_ms_per_1000_deliveries": 1000 * cpu_seconds * 1000 / max(delivered, 1),
        "rss_mib_per_1000_subscribers": (rss_subscribed - rss_before) / 2**20 * 1000 / subscribers,
        "rss_mib_total": rss_subscribed / 2**20,
        "connect_seconds": connect_seconds,
        "lost": lost,
        "repeated": repeated,
        "out_of_order": out_of_order,
        "errors": len(errors) + mutation_errors + failed_sockets,
        "failed_sockets": failed_sockets,
        "error_samples": errors[:5] + failure_samples[:5],
    }


def render(result: dict[str, Any]) -> str:
    r = result
    return (
        f"| {r['subscribers']:,} | {r['changes']} at {r['changes_per_s']:.1f}/s | "
        f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | "
        f"{r['deliveries_per_s']:,.0f} | {r['server_cpu_cores']:.2f} | "
        f"{r['cpu_ms_per_1000_deliveries']:.0f} | {r['rss_mib_per_1000_subscribers']:.1f} | "
        f"{r['lost']} / {r['repeated']} / {r['out_of_order']} / {r['errors']} |"
    )


HEADER = (
    "| subscribers | changes | p50 ms | p99 ms | max ms | deliveries/s | server CPU (cores) "
    "| CPU ms per 1,000 deliveries | RSS MiB per 1,000 subscribers "
    "| lost / repeated / out of order / errors |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    args = parse_args()
    runs = [int(n) for n in args.subscribers.split(",")]
    print(machine(args.admin_url))
    db = Database(args.admin_url)
    print(f"database {db.name}: seeding", flush=True)
    db.create_and_seed(accounts=100)
    try:
        rows = []
        for subscribers in runs:
            print(
                f"{subscribers:,} subscribers, {args.rate}/s for {args.duration:.0f} s ...",
                flush=True,
            )
            result = run_once(db, subscribers, args)
            rows.append(render(result))
            print(result, flush=True)
        print(HEADER)
        print("\n".join(rows))
    finally:
        with contextlib.suppress(Exception):
            db.drop()


if __name__ == "__main__":
    main()
