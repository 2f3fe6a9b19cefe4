"""The event bus: stage changes, published after the transaction that made them commits.

A write queues its events on the session (`queue`); the unit of work publishes them once
the commit succeeded (`published_after_commit`), so a rolled-back change is never
announced. This in-process bus fans out to local subscribers, each with a bounded queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.errors import TopLevelError

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
    def __init__(self, bus: InProcessBus, accepts: Callable[[StageChanged], bool]) -> None:
        self._bus = bus
        self.accepts = accepts
        self.queue: asyncio.Queue[StageChanged] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE_SIZE)
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
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, accepts: Callable[[StageChanged], bool]) -> Subscription:
        subscription = Subscription(self, accepts)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def publish(self, events: list[StageChanged]) -> None:
        for event in events:
            for subscription in list(self._subscriptions):
                subscription.offer(event)
