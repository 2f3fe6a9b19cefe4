"""case satisfaction score

Revision ID: 06f1ce70c71f
Revises: ae5dbd3b4014
Create Date: 2026-11-25 18:52:36.848571
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '06f1ce70c71f'
down_revision: str | None = 'ae5dbd3b4014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('satisfaction_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('satisfaction_recorded_at', db.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_column('satisfaction_recorded_at')
        batch_op.drop_column('satisfaction_score')

