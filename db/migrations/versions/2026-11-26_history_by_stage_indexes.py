"""history by stage indexes

Metrics read the moves into (or out of) a few stages within a time range: deals closed,
cases resolved, accounts churned, deals won and later reopened. Indexed by stage and time,
with the columns those statements read included, PostgreSQL reads just those rows by an
index-only scan instead of every change of the entity type. The stage comes first (every
statement that reads them names it) so that these indexes never pass for a way to read a
workspace's or a record's history, which `ix_stage_change_record` serves.

Revision ID: b7d41e6c2a90
Revises: 5c1e2f7a9b3d
Create Date: 2026-11-26 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7d41e6c2a90"
down_revision: str | None = "5c1e2f7a9b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_stage_change_into",
        "stage_change",
        ["to_stage", "workspace_id", "entity_type", "occurred_at"],
        postgresql_include=["record_id", "id", "from_stage"],
    )
    op.create_index(
        "ix_stage_change_out_of",
        "stage_change",
        ["from_stage", "workspace_id", "entity_type", "occurred_at"],
        postgresql_include=["record_id", "id", "to_stage"],
    )


def downgrade() -> None:
    op.drop_index("ix_stage_change_out_of", table_name="stage_change")
    op.drop_index("ix_stage_change_into", table_name="stage_change")
