"""The event bus: stage changes, published after the transaction that made them commits.

A write queues its events on the session (`queue`); the unit of work publishes them once
the commit succeeded (`published_after_commit`), so a rolled-back change is never
announced. This in-process bus fans out to local subscribers, each with a bounded queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import StageChange
from resolvers.errors import TopLevelError
from resolvers.pagination import Ordering

logger = logging.getLogger("crm.events")

_PENDING = "pending_stage_events"
SUBSCRIBER_QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class StageChanged:
    """Everything a subscriber needs about one move, without reading the database."""

    workspace_id: int
    stage_change_id: int
    entity_type: str
    record_id: int
    account_id: int | None
    from_stage: str | None
    to_stage: str
    occurred_at: datetime
    cause: str
    reason: str | None
    actor_api_key_id: int | None
    # Where this event sits in the history: `stageChanges(after:)` resumes from it.
    cursor: str


def queue(session: AsyncSession, event: StageChanged) -> None:
    session.info.setdefault(_PENDING, []).append(event)


def pending(session: AsyncSession) -> list[StageChanged]:
    events: list[StageChanged] = session.info.get(_PENDING, [])
    return events


def take_pending(session: AsyncSession) -> list[StageChanged]:
    events: list[StageChanged] = session.info.pop(_PENDING, [])
    return events


class SubscriberOverflowError(TopLevelError):
    """A subscriber fell so far behind that its queue filled up; it must resume from a cursor."""

    code = "SLOW_CONSUMER"

    def __init__(self) -> None:
        super().__init__(
            "This subscription fell too far behind and was ended; subscribe again with "
            "`after` set to the cursor of the last change you received."
        )


class Subscription:
    def __init__(
        self, bus: InProcessBus, accepts: Callable[[StageChanged], bool], queue_size: int
    ) -> None:
        self._bus = bus
        self.accepts = accepts
        self.queue: asyncio.Queue[StageChanged] = asyncio.Queue(maxsize=queue_size)
        self.overflowed = False

    def offer(self, event: StageChanged) -> None:
        if self.overflowed or not self.accepts(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Never block the publisher for one slow reader: cut that reader off instead.
            self.overflowed = True

    async def events(self) -> AsyncIterator[StageChanged]:
        try:
            while True:
                if self.overflowed and self.queue.empty():
                    raise SubscriberOverflowError
                yield await self.queue.get()
        finally:
            self._bus.unsubscribe(self)


class InProcessBus:
    # False: the unit of work publishes here after commit (one process, SQLite).
    announces_through_database = False

    def __init__(self, *, queue_size: int | None = None) -> None:
        self._subscriptions: set[Subscription] = set()
        # How many events a subscriber may have waiting before it is cut off.
        self._queue_size = queue_size

    def subscribe(self, accepts: Callable[[StageChanged], bool]) -> Subscription:
        subscription = Subscription(self, accepts, self._queue_size or SUBSCRIBER_QUEUE_SIZE)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def publish(self, events: list[StageChanged]) -> None:
        for event in events:
            for subscription in list(self._subscriptions):
                subscription.offer(event)


CHANNEL = "crm_stage_changes"


def listen_application_name() -> str:
    return f"crm-listen-{os.getpid()}"


def to_json(event: StageChanged) -> str:
    payload = asdict(event)
    payload["occurred_at"] = event.occurred_at.isoformat()
    return json.dumps(payload)


def from_json(text: str) -> StageChanged:
    payload = json.loads(text)
    payload["occurred_at"] = datetime.fromisoformat(payload["occurred_at"])
    return StageChanged(**payload)


class PostgresBus(InProcessBus):
    """The bus for several API processes on one PostgreSQL database.

    Committing transactions announce their events with NOTIFY (so a rolled-back change is
    never announced, and PostgreSQL delivers them in commit order); one LISTEN connection
    per process fans them out to the local subscribers, its own process's events
    included. When that connection drops, the process reconnects and replays from the
    history what it may have missed; subscribers drop what they already had, by id.

    Ids follow commit order within a workspace only (its writers take turns, see
    `resolvers.uow`); across workspaces a transaction may commit after one with a larger
    id. So what was missed is found per workspace: after the last id heard from it, or,
    for a workspace not heard from yet, after the last id in the history when this process
    began listening. (Only a transaction open from before then until the outage could
    escape that: history writes are short transactions.)
    """

    announces_through_database = True

    def __init__(
        self, dsn: str, *, retry_seconds: float = 1.0, queue_size: int | None = None
    ) -> None:
        super().__init__(queue_size=queue_size)
        self._dsn = dsn
        self._retry_seconds = retry_seconds
        self._connection: Any = None
        self._listening_since_id: int | None = None  # the history's last id at first LISTEN
        self._last_id_by_workspace: dict[int, int] = {}
        self._keeper: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._held: list[StageChanged] | None = None  # notifications held during a replay

    async def start(self) -> None:
        await self._connect()
        self._keeper = asyncio.create_task(self._keep_listening())

    async def stop(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()

    async def _connect(self) -> None:
        # Named, so that an operator (or a test) can find this process's LISTEN backend.
        connection = await asyncpg.connect(
            self._dsn, server_settings={"application_name": listen_application_name()}
        )
        try:
            connection.add_termination_listener(self._on_termination)
            await connection.add_listener(CHANNEL, self._on_notification)
            self._lost.clear()
            if self._listening_since_id is not None:
                await self._replay(connection)
            else:
                self._listening_since_id = await connection.fetchval(
                    "SELECT coalesce(max(id), 0) FROM stage_change"
                )
        except BaseException:
            connection.terminate()  # half set up: the next attempt starts afresh
            raise
        self._connection = connection

    def _on_termination(self, connection: Any) -> None:
        if connection is self._connection:  # not one given up on while being set up
            self._lost.set()

    async def _replay(self, connection: Any) -> None:
        # Notifications that arrive while the history is read are newer than some of it:
        # published first, they would make subscribers (who skip ids they are past) drop
        # the older ones. So they wait, and follow the replay, without the ones it had.
        self._held = []
        try:
            heard = self._last_id_by_workspace
            since = self._listening_since_id or 0
            rows = await connection.fetch(
                _REPLAY, min([since, *heard.values()]), since, list(heard), list(heard.values())
            )
            replayed = [_event_of(dict(row)) for row in rows]
            ids = {event.stage_change_id for event in replayed}
            self.publish(replayed + [e for e in self._held if e.stage_change_id not in ids])
        finally:
            self._held = None

    async def _keep_listening(self) -> None:
        while True:
            await self._lost.wait()
            logger.warning("Lost the LISTEN connection; reconnecting")
            while True:
                try:
                    await self._connect()
                    break
                # Whatever failed (refused, killed again mid-setup, timed out), this task
                # must live on: it is this process's only way to hear of changes.
                except Exception as error:
                    logger.warning("LISTEN reconnect failed (%s); retrying", error)
                    await asyncio.sleep(self._retry_seconds)
            logger.info("LISTEN connection re-established; missed changes replayed")

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if self._held is not None:
            self._held.append(from_json(payload))
        else:
            self.publish([from_json(payload)])

    def publish(self, events: list[StageChanged]) -> None:
        heard = self._last_id_by_workspace
        for event in events:
            heard[event.workspace_id] = max(heard.get(event.workspace_id, 0), event.stage_change_id)
        super().publish(events)


# $1 the smallest id that may have been missed, $2 the last id when listening began,
# $3 and $4 the workspaces heard from and the last id heard from each.
_REPLAY = """
SELECT s.id, s.workspace_id, s.entity_type, s.record_id, s.account_id, s.from_stage,
       s.to_stage, s.occurred_at, s.cause, s.reason, s.actor_api_key_id
FROM stage_change AS s
LEFT JOIN unnest($3::bigint[], $4::bigint[]) AS heard(workspace_id, last_id)
  ON heard.workspace_id = s.workspace_id
WHERE s.id > $1 AND s.id > coalesce(heard.last_id, $2)
ORDER BY s.id
"""


def _event_of(row: dict[str, Any]) -> StageChanged:
    """The event of a history row read back after a reconnect."""
    pk = row.pop("id")
    return StageChanged(
        **row, stage_change_id=pk, cursor=_HISTORY.encode_cursor(SimpleNamespace(id=pk))
    )


_HISTORY = Ordering(StageChange)
