"""lifecycle history, lead conversion, case SLA

Revision ID: 0193b49e9483
Revises: 2659b1b2c3c0
Create Date: 2026-11-25 16:35:03.285468
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0193b49e9483'
down_revision: str | None = '2659b1b2c3c0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sla_policy',
    sa.Column('priority', sa.Enum('LOW', 'MEDIUM', 'HIGH', 'URGENT', name='casepriority', native_enum=False, length=32), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_by_api_key_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_api_key_id'], ['api_key.id'], name=op.f('fk_sla_policy_updated_by_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_sla_policy_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policy')),
    sa.UniqueConstraint('workspace_id', 'priority', name=op.f('uq_sla_policy_workspace_id_priority'))
    )
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_policy_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('stage_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_type', sa.Enum('ACCOUNT', 'CONTACT', 'LEAD', 'OPPORTUNITY', 'CASE', 'CAMPAIGN', name='entitytype', native_enum=False, length=32), nullable=False),
    sa.Column('record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('from_stage', sa.String(length=32), nullable=True),
    sa.Column('to_stage', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_api_key_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('cause', sa.Enum('CREATED', 'MANUAL', 'LEAD_CONVERSION', 'FIRST_PURCHASE', 'REPEAT_PURCHASE', 'REACTIVATION', 'REFERRAL', name='stagechangecause', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['actor_api_key_id'], ['api_key.id'], name=op.f('fk_stage_change_actor_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['crm_user.id'], name=op.f('fk_stage_change_actor_user_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_stage_change_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change'))
    )
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.create_index('ix_stage_change_account', ['workspace_id', 'account_id', 'id'], unique=False)
        batch_op.create_index('ix_stage_change_occurred', ['workspace_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_stage_change_record', ['workspace_id', 'entity_type', 'record_id', 'id'], unique=False)

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('converted_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('converted_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('converted_contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('converted_opportunity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_lead_converted_contact_id_contact'), 'contact', ['converted_contact_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_lead_converted_account_id_account'), 'account', ['converted_account_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_lead_converted_opportunity_id_opportunity'), 'opportunity', ['converted_opportunity_id'], ['id'])

    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_responded_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_response_due_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_due_at', db.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_column('resolution_due_at')
        batch_op.drop_column('first_response_due_at')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('first_responded_at')

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lead_converted_opportunity_id_opportunity'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_lead_converted_account_id_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_lead_converted_contact_id_contact'), type_='foreignkey')
        batch_op.drop_column('converted_opportunity_id')
        batch_op.drop_column('converted_contact_id')
        batch_op.drop_column('converted_account_id')
        batch_op.drop_column('converted_at')

    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_change_record')
        batch_op.drop_index('ix_stage_change_occurred')
        batch_op.drop_index('ix_stage_change_account')

    op.drop_table('stage_change')
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_policy_workspace_id'))

    op.drop_table('sla_policy')
