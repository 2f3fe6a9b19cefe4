"""list and filter indexes

Revision ID: ae5dbd3b4014
Revises: a8490f3d7c75
Create Date: 2026-11-25 16:53:04.160163
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = 'ae5dbd3b4014'
down_revision: str | None = 'a8490f3d7c75'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_workspace_id'))
        batch_op.create_index('ix_account_stage', ['workspace_id', 'lifecycle_stage'], unique=False)
        batch_op.create_index('ix_account_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_account_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_workspace_id'))
        batch_op.create_index('ix_activity_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_activity_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_workspace_id'))
        batch_op.create_index('ix_campaign_status', ['workspace_id', 'status'], unique=False)
        batch_op.create_index('ix_campaign_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_campaign_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_workspace_id'))
        batch_op.create_index('ix_contact_stage', ['workspace_id', 'lifecycle_stage'], unique=False)
        batch_op.create_index('ix_contact_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_contact_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('crm_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_user_workspace_id'))
        batch_op.create_index('ix_crm_user_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_crm_user_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_workspace_id'))
        batch_op.create_index('ix_lead_status', ['workspace_id', 'status'], unique=False)
        batch_op.create_index('ix_lead_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_lead_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_workspace_id'))
        batch_op.create_index('ix_opportunity_stage', ['workspace_id', 'stage'], unique=False)
        batch_op.create_index('ix_opportunity_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_opportunity_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('opportunity_line_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_line_item_workspace_id'))
        batch_op.create_index('ix_opportunity_line_item_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_opportunity_line_item_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_workspace_id'))
        batch_op.create_index('ix_product_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_product_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_policy_workspace_id'))
        batch_op.create_index('ix_sla_policy_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_sla_policy_workspace_list', ['workspace_id', 'id'], unique=False)

    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_case_workspace_id'))
        batch_op.create_index('ix_support_case_status', ['workspace_id', 'status'], unique=False)
        batch_op.create_index('ix_support_case_workspace_created', ['workspace_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_support_case_workspace_list', ['workspace_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_index('ix_support_case_workspace_list')
        batch_op.drop_index('ix_support_case_workspace_created')
        batch_op.drop_index('ix_support_case_status')
        batch_op.create_index(batch_op.f('ix_support_case_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_policy_workspace_list')
        batch_op.drop_index('ix_sla_policy_workspace_created')
        batch_op.create_index(batch_op.f('ix_sla_policy_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_workspace_list')
        batch_op.drop_index('ix_product_workspace_created')
        batch_op.create_index(batch_op.f('ix_product_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('opportunity_line_item', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_line_item_workspace_list')
        batch_op.drop_index('ix_opportunity_line_item_workspace_created')
        batch_op.create_index(batch_op.f('ix_opportunity_line_item_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunity_workspace_list')
        batch_op.drop_index('ix_opportunity_workspace_created')
        batch_op.drop_index('ix_opportunity_stage')
        batch_op.create_index(batch_op.f('ix_opportunity_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_workspace_list')
        batch_op.drop_index('ix_lead_workspace_created')
        batch_op.drop_index('ix_lead_status')
        batch_op.create_index(batch_op.f('ix_lead_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('crm_user', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_user_workspace_list')
        batch_op.drop_index('ix_crm_user_workspace_created')
        batch_op.create_index(batch_op.f('ix_crm_user_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_workspace_list')
        batch_op.drop_index('ix_contact_workspace_created')
        batch_op.drop_index('ix_contact_stage')
        batch_op.create_index(batch_op.f('ix_contact_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_workspace_list')
        batch_op.drop_index('ix_campaign_workspace_created')
        batch_op.drop_index('ix_campaign_status')
        batch_op.create_index(batch_op.f('ix_campaign_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_workspace_list')
        batch_op.drop_index('ix_activity_workspace_created')
        batch_op.create_index(batch_op.f('ix_activity_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index('ix_account_workspace_list')
        batch_op.drop_index('ix_account_workspace_created')
        batch_op.drop_index('ix_account_stage')
        batch_op.create_index(batch_op.f('ix_account_workspace_id'), ['workspace_id'], unique=False)

