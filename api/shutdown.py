"""Closing WebSockets cleanly when the server is told to stop.

uvicorn answers SIGTERM (and Ctrl-C) by closing every open WebSocket at once with 1012,
before the application hears of the shutdown: clients see their subscriptions cut, not
ended. So while the app runs, those signals first go here: every open operation gets its
`complete` and every socket a 1001 "going away" close, and only then does the server's
own handler run and stop it as before.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from api.graphql_ws import Connections

logger = logging.getLogger("crm.shutdown")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _CloseFirst:
    """Stands in for the server's handlers of SIGNALS while the app runs."""

    def __init__(self, connections: Connections, timeout_seconds: float) -> None:
        self.connections = connections
        self.timeout_seconds = timeout_seconds
        self.previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in SIGNALS}
        self.loop = asyncio.get_running_loop()
        self.closing: asyncio.Task[None] | None = None

    def on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self.closing is not None:  # asked again: stop now
            self.pass_on(sig, frame)
            return
        self.closing = self.loop.create_task(self.close_then_pass_on(sig, frame))

    async def close_then_pass_on(self, sig: int, frame: FrameType | None) -> None:
        try:
            await self.connections.close_all(self.timeout_seconds)
        except Exception:
            logger.exception("Closing WebSockets on shutdown failed")
        self.pass_on(sig, frame)

    def pass_on(self, sig: int, frame: FrameType | None) -> None:
        handler = self.previous[sig]
        if callable(handler):
            handler(sig, frame)
        else:  # the default action (or none): as if this module had never been here
            signal.signal(sig, handler)
            signal.raise_signal(sig)


@contextmanager
def websockets_closed_first(connections: Connections, timeout_seconds: float) -> Iterator[None]:
    # Signal handlers belong to the main thread; elsewhere (a test client) nothing to do.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    relay = _CloseFirst(connections, timeout_seconds)
    for sig in SIGNALS:
        signal.signal(sig, relay.on_signal)
    try:
        yield
    finally:
        for number, handler in relay.previous.items():
            if signal.getsignal(number) == relay.on_signal:
                signal.signal(number, handler)
