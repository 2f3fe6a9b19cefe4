"""The choices the metrics SQL makes before it runs: which way to read the history, and
which stages a move out of some stages can go to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.base import utcnow
from db.enums import CaseStatus, EntityType, OpportunityStage
from resolvers.metrics.sql import cheaper_to_rewind, others


def test_recent_ends_on_a_long_history_are_rewound_from_now() -> None:
    now = utcnow()
    recent = [now - timedelta(days=90), now - timedelta(days=30)]
    assert cheaper_to_rewind(recent, history_start=now - timedelta(days=5 * 365))


def test_early_ends_on_a_long_history_are_counted_forward() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    early = [datetime(2020, 6, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC)]
    assert not cheaper_to_rewind(early, history_start=start)


def test_a_workspace_without_history_is_counted_forward() -> None:
    assert not cheaper_to_rewind([utcnow()], history_start=None)


def test_the_other_stages_are_every_stage_of_the_entity_but_the_given_ones() -> None:
    closed = [OpportunityStage.CLOSED_WON.value, OpportunityStage.CLOSED_LOST.value]
    assert others(EntityType.OPPORTUNITY, closed) == [
        "PROSPECTING",
        "QUALIFICATION",
        "PROPOSAL",
        "NEGOTIATION",
    ]
    done = [CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value]
    assert set(others(EntityType.CASE, done)) == {s.value for s in CaseStatus} - set(done)
