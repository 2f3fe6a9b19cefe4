"""covering history index

Metrics rebuild every record's stays in a stage from its history; with the stage columns and
the time in the index, PostgreSQL reads them by an index-only scan instead of visiting the
table for each row.

Revision ID: 5c1e2f7a9b3d
Revises: 06f1ce70c71f
Create Date: 2026-11-25 20:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1e2f7a9b3d"
down_revision: str | None = "06f1ce70c71f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["workspace_id", "entity_type", "record_id", "id"]


def upgrade() -> None:
    op.drop_index("ix_stage_change_record", table_name="stage_change")
    op.create_index(
        "ix_stage_change_record",
        "stage_change",
        COLUMNS,
        postgresql_include=["from_stage", "to_stage", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_stage_change_record", table_name="stage_change")
    op.create_index("ix_stage_change_record", "stage_change", COLUMNS)
