"""A PostgreSQL wire-protocol proxy that counts the statements its clients run.

Why a proxy: the same count then holds for all three servers, whatever their driver (asyncpg
under SQLAlchemy, asyncpg bare, node-postgres), and it counts what reaches PostgreSQL,
including BEGIN/COMMIT and pool pings that SQLAlchemy's own events never see.
pg_stat_statements would need a server restart to load; this needs nothing.

It reads only the client's messages: a simple Query ('Q') is one statement; in the
extended protocol an Execute ('E') is one statement, whose text comes from the Parse ('P')
of the statement its portal was bound ('B') to. SSL is declined so the stream stays
readable (loopback only).
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
TRANSACTION = {"BEGIN", "START", "COMMIT", "ROLLBACK", "END", "SAVEPOINT", "RELEASE", "ABORT"}


def kind_of(sql: str) -> str:
    """`transaction` (BEGIN, COMMIT...), `ping` (an empty statement) or `query`."""
    words = sql.strip().rstrip(";").split(None, 1)
    if not words or sql.strip() in {";", "SELECT 1"}:
        return "ping"
    return "transaction" if words[0].upper() in TRANSACTION else "query"


def cstrings(body: bytes, count: int) -> list[str]:
    parts = body.split(b"\0", count)
    return [part.decode(errors="replace") for part in parts[:count]]


class Connection:
    """The prepared statements and portals of one client connection."""

    def __init__(self, counter: StatementCounter) -> None:
        self.counter = counter
        self.statements: dict[str, str] = {}
        self.portals: dict[str, str] = {}

    def observe(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.counter.record(cstrings(body, 1)[0])
        elif kind == b"P":
            name, sql = cstrings(body, 2)
            self.statements[name] = sql
        elif kind == b"B":
            portal, statement = cstrings(body, 2)
            self.portals[portal] = statement
        elif kind == b"E":
            portal = cstrings(body, 1)[0]
            self.counter.record(self.statements.get(self.portals.get(portal, ""), "?"))


class StatementCounter:
    """Listens on a free loopback port; forwards to PostgreSQL at `host`:`port`."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.counts: Counter[str] = Counter()
        self.texts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self.listen_port = 0

    def record(self, sql: str) -> None:
        with self._lock:
            self.counts[kind_of(sql)] += 1
            self.texts[" ".join(sql.split())[:300]] += 1

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.texts.clear()

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        with self._lock:
            return Counter(self.counts), Counter(self.texts)

    def start(self) -> int:
        """Serve in a background thread; the port to connect to."""
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self._server = self._run(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.listen_port = int(self._server.sockets[0].getsockname()[1])
        return self.listen_port

    def stop(self) -> None:
        # On the server's own loop: closing it from this thread raced with the loop's own
        # bookkeeping of the server (a flaky TypeError in asyncio's Server._wakeup).
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _accept(self, client: asyncio.StreamReader, reply: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(self.host, self.port)
        back = asyncio.ensure_future(_pipe(upstream_reader, reply))
        try:
            await self._forward(client, reply, upstream)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            upstream.close()
            await back
            reply.close()

    async def _forward(
        self,
        client: asyncio.StreamReader,
        reply: asyncio.StreamWriter,
        upstream: asyncio.StreamWriter,
    ) -> None:
        while True:  # the startup packet, after declining any encryption request
            head = await client.readexactly(8)
            length, code = struct.unpack("!ii", head)
            if code in {SSL_REQUEST, GSSENC_REQUEST}:
                reply.write(b"N")
                await reply.drain()
                continue
            upstream.write(head + await client.readexactly(length - 8))
            break
        connection = Connection(self)
        while True:
            head = await client.readexactly(5)
            body = await client.readexactly(struct.unpack("!i", head[1:])[0] - 4)
            connection.observe(head[:1], body)
            upstream.write(head + body)
            await upstream.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
