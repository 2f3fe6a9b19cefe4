"""`crm seed`: a realistic workspace for demos, tests and benchmarks, written in bulk.

The same seed (and `as_of`) gives the same records every time: only their ids depend on
what the database held before. Stages and statuses keep their model defaults, except that
opportunities are spread over the pipeline (with the probability and forecast category of
their stage) and accounts over the customer lifecycle, consistently with their deals.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Account,
    Activity,
    Campaign,
    Case,
    Contact,
    Lead,
    Opportunity,
    OpportunityLineItem,
    Product,
    StageChange,
    User,
    Workspace,
)
from resolvers.seed import bulk
from resolvers.seed.bulk import Progress
from resolvers.seed.catalogue import campaigns, products, users
from resolvers.seed.context import Row, Seeding
from resolvers.seed.engagement import activities, cases, leads
from resolvers.seed.history import stage_changes
from resolvers.seed.pipeline import accounts, contacts, line_items, opportunities

__all__ = [
    "DEFAULT_AS_OF",
    "STEPS",
    "Progress",
    "SeedSummary",
    "Step",
    "WorkspaceNotEmptyError",
    "seed",
]

# The seeded history ends here unless told otherwise: a fixed moment, so that a seed
# reproduces the same data on any day.
DEFAULT_AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Step:
    """One table and the builder of its rows."""

    model: type[Any]
    build: Callable[[Seeding], list[Row]]

    @property
    def table(self) -> Table:
        return cast("Table", self.model.__table__)


# Parents before children: one table a step, so a new table (the stage history, say) is
# one more builder and one more line here.
STEPS = (
    Step(User, users),
    Step(Product, products),
    Step(Campaign, campaigns),
    Step(Account, accounts),
    Step(Contact, contacts),
    Step(Opportunity, opportunities),
    Step(OpportunityLineItem, line_items),
    Step(Lead, leads),
    Step(Case, cases),
    Step(Activity, activities),
    Step(StageChange, stage_changes),
)


class WorkspaceNotEmptyError(Exception):
    """Seeding adds to an empty workspace only: seeded SKUs and emails would clash."""


@dataclass(frozen=True)
class SeedSummary:
    workspace_id: int
    workspace_name: str
    currency: str
    # Rows written per table, in the order they were written.
    rows: dict[str, int]


async def seed(
    session: AsyncSession,
    *,
    workspace_name: str,
    accounts: int,
    seed: int = 42,
    as_of: datetime = DEFAULT_AS_OF,
    progress: Progress | None = None,
) -> SeedSummary:
    """Fill the workspace `workspace_name` (created if new, refused unless empty).

    Runs in the caller's transaction: either everything is written or nothing is.
    """
    if accounts < 1:
        raise ValueError("seed at least one account")
    workspace = await _empty_workspace(session, workspace_name)
    connection = await session.connection()
    seeding = Seeding(
        rng=random.Random(seed),  # noqa: S311  (sample data, not secrets)
        workspace_id=workspace.id,
        currency=workspace.default_currency,
        as_of=as_of,
        accounts=accounts,
    )
    written: dict[str, int] = {}
    for step in STEPS:
        table = step.table
        rows = step.build(seeding)
        ids = await bulk.reserve_ids(connection, table, len(rows))
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        seeding.rows[table.name] = rows
        await bulk.write(connection, table, rows, progress)
        written[table.name] = len(rows)
    if connection.dialect.name == "postgresql":
        # Fresh statistics, so that the first queries on the new rows get good plans.
        await connection.execute(text("ANALYZE " + ", ".join(f'"{name}"' for name in written)))
    return SeedSummary(workspace.id, workspace.name, workspace.default_currency, written)


async def _empty_workspace(session: AsyncSession, name: str) -> Workspace:
    workspace = await session.scalar(select(Workspace).where(Workspace.name == name))
    if workspace is None:
        workspace = Workspace(name=name)
        session.add(workspace)
        await session.flush()
        return workspace
    for model in (Account, Product):
        if await session.scalar(select(exists().where(model.workspace_id == workspace.id))):
            raise WorkspaceNotEmptyError(
                f"Workspace {name!r} already has records; seed a new workspace instead."
            )
    return workspace
