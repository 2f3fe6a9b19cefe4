"""stageChanged against a real uvicorn process over real sockets: slow consumers, shutdown.

Every test runs on SQLite and PostgreSQL (the server process opens the test database)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from pathlib import Path

import pytest
import websockets

from tests.conftest import make_tenant
from tests.helpers import (
    STAGE_CHANGED,
    gql_at,
    next_change,
    next_message,
    uvicorn_process,
    ws_subscribe,
)

CREATE = "mutation($n: String!) { accountCreate(input: {name: $n}) { account { id } } }"
MOVE = """
mutation($id: ID!, $to: LifecycleStage!, $reason: String) {
  accountTransition(input: {id: $id, to: $to, reason: $reason}) { userErrors { code message } }
}
"""
# Big messages (over 200 kB each), so that a reader that stops reading soon fills what the
# kernel buffers for its socket (at most tcp_wmem's maximum on the server's side).
REASON = "r" * 200
ALIASES = " ".join(f"r{n}: reason" for n in range(1000))
BULKY = f"""
subscription($after: String) {{ stageChanged(after: $after) {{ id cursor toStage {ALIASES} }} }}
"""


def changes_to_fall_behind() -> int:
    """Enough changes to fill the kernel's buffers twice over, plus the queue."""
    try:
        send_buffer = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        send_buffer = 4 * 1024 * 1024
    return 2 * (send_buffer // 200_000) + 10


CHANGES = changes_to_fall_behind()
HISTORY = "{ stageChanges(first: 100) { nodes { id } } }"
assert CHANGES < 100, "read the history in pages"


@pytest.fixture
async def tenant_and_url(database_url, engine):
    return await make_tenant(engine), database_url


def stalled_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer: when its reader stops reading, the
    server soon cannot write to it any more."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def move(port: int, key: str, account_id: str, n: int) -> None:
    to = "ACQUISITION" if n % 2 == 0 else "REACH"  # forth and back, with a reason
    payload = await gql_at(port, key, MOVE, id=account_id, to=to, reason=REASON)
    assert payload["accountTransition"]["userErrors"] == [], payload


async def test_a_slow_subscriber_is_cut_off_the_others_keep_up_and_it_resumes_losing_nothing(
    tenant_and_url,
):
    tenant, url = tenant_and_url
    # No pings: they would drop the stalled reader as unresponsive before it wakes up.
    async with uvicorn_process(url, subscriber_queue_size=4, ws_ping_interval_seconds=3600) as server:
        port, key = server.port, tenant.key
        account = (await gql_at(port, key, CREATE, n="Acme"))["accountCreate"]["account"]
        # Uncompressed: these messages would otherwise compress to next to nothing.
        slow = await ws_subscribe(
            port, key, query=BULKY, sock=stalled_socket(port), compression=None
        )
        fast = await ws_subscribe(port, key, query=BULKY, compression=None)
        slow.transport.pause_reading()  # the slow one stops reading its socket
        try:
            await asyncio.sleep(0.3)  # both subscriptions are registered
            received = []
            for n in range(CHANGES):
                await move(port, key, account["id"], n)
                # On time: each change reaches the reader before the next one is made.
                received.append(await next_change(fast))

            # The slow reader wakes up: what was sent before it fell behind, then the error.
            slow.transport.resume_reading()
            got_before_cut = []
            while (message := await next_message(slow))["type"] == "next":
                got_before_cut.append(message["payload"]["data"]["stageChanged"])
            assert message["type"] == "error", message
            assert message["id"] == "1"
            assert [e["extensions"]["code"] for e in message["payload"]] == ["SLOW_CONSUMER"]
            assert "after" in message["payload"][0]["message"]
            assert 0 < len(got_before_cut) < CHANGES
            await slow.close()

            slow = await ws_subscribe(port, key, query=BULKY, after=got_before_cut[-1]["cursor"])
            missed = [await next_change(slow) for _ in range(CHANGES - len(got_before_cut))]
            with pytest.raises(TimeoutError):
                await next_message(slow, timeout=0.5)  # nothing twice
        finally:
            await slow.close()
            await fast.close()
        history = await gql_at(port, key, HISTORY)

    moves = history["stageChanges"]["nodes"][1:]  # after the creation
    assert [c["id"] for c in received] == [row["id"] for row in moves]
    assert [c["id"] for c in got_before_cut + missed] == [row["id"] for row in moves]
    assert all(c["r999"] == REASON for c in missed)



async def test_on_sigterm_open_subscriptions_complete_and_sockets_close_going_away(tenant_and_url):
    tenant, url = tenant_and_url
    async with uvicorn_process(url) as server:
        port, key = server.port, tenant.key
        first = await ws_subscribe(port, key)
        await first.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": STAGE_CHANGED}}))
        second = await ws_subscribe(port, key, operation_id="3")
        account = (await gql_at(port, key, CREATE, n="Acme"))["accountCreate"]["account"]
        assert (await next_change(first))["recordId"] == account["id"]  # all three are live
        assert (await next_change(first))["recordId"] == account["id"]
        assert (await next_change(second))["recordId"] == account["id"]

        server.process.send_signal(signal.SIGTERM)
        endings = [await until_closed(first), await until_closed(second)]
        await asyncio.to_thread(server.process.wait, timeout=15)  # and the process ends

    assert endings == [
        ([{"id": "1", "type": "complete"}, {"id": "2", "type": "complete"}], 1001),
        ([{"id": "3", "type": "complete"}], 1001),
    ]


async def until_closed(ws) -> tuple[list[dict], int | None]:
    """Every message until the server closes the socket, sorted by id, and the close code."""
    messages = []
    try:
        while True:
            messages.append(await next_message(ws))
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None  # None: no close frame at all
        return sorted(messages, key=lambda m: m["id"]), code
