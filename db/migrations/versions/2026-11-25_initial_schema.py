"""initial schema

Revision ID: 2659b1b2c3c0
Revises: 
Create Date: 2026-11-25 16:29:04.270611
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '2659b1b2c3c0'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workspace',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('default_currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace')),
    sa.UniqueConstraint('name', name=op.f('uq_workspace_name'))
    )
    op.create_table('api_key',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'MEMBER', 'READ_ONLY', name='apikeyrole', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_api_key_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('crm_user',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'MANAGER', 'SALES', 'SUPPORT', 'MARKETING', name='userrole', native_enum=False, length=32), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_crm_user_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_user')),
    sa.UniqueConstraint('workspace_id', 'email', name=op.f('uq_crm_user_workspace_id_email'))
    )
    with op.batch_alter_table('crm_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_user_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('account',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('website', sa.String(length=2048), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('employee_count', sa.Integer(), nullable=True),
    sa.Column('annual_revenue', db.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('billing_street', sa.String(length=255), nullable=True),
    sa.Column('billing_city', sa.String(length=100), nullable=True),
    sa.Column('billing_state', sa.String(length=100), nullable=True),
    sa.Column('billing_postal_code', sa.String(length=20), nullable=True),
    sa.Column('billing_country', sa.String(length=2), nullable=True),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('lifecycle_stage', sa.Enum('REACH', 'ACQUISITION', 'CONVERSION', 'RETENTION', 'ADVOCACY', 'CHURNED', name='lifecyclestage', native_enum=False, length=32), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_account_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['parent_id'], ['account.id'], name=op.f('fk_account_parent_id_account')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_account_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('campaign',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.Enum('EMAIL', 'BLOG', 'ADVERTISEMENT', 'SOCIAL', 'EVENT', 'WEBINAR', 'CONTENT', 'REFERRAL', 'OTHER', name='campaigntype', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED', name='campaignstatus', native_enum=False, length=32), nullable=False),
    sa.Column('budget', db.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('actual_cost', db.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_campaign_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_campaign_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('product',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('unit_price', db.types.ExactDecimal(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('vendor', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_product_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_product_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('workspace_id', 'sku', name=op.f('uq_product_workspace_id_sku'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('contact',
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('job_title', sa.String(length=150), nullable=True),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('lifecycle_stage', sa.Enum('REACH', 'ACQUISITION', 'CONVERSION', 'RETENTION', 'ADVOCACY', 'CHURNED', name='lifecyclestage', native_enum=False, length=32), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_contact_account_id_account')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_contact_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_contact_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('lead',
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('company', sa.String(length=255), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('referred_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.Enum('OPEN', 'CONTACTED', 'QUALIFIED', 'UNQUALIFIED', 'CONVERTED', name='leadstatus', native_enum=False, length=32), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_lead_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_lead_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['contact.id'], name=op.f('fk_lead_referred_by_id_contact')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_lead_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_referred_by_id'), ['referred_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('opportunity',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('primary_contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('amount', db.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close_date', sa.Date(), nullable=True),
    sa.Column('stage', sa.Enum('PROSPECTING', 'QUALIFICATION', 'PROPOSAL', 'NEGOTIATION', 'CLOSED_WON', 'CLOSED_LOST', name='opportunitystage', native_enum=False, length=32), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('forecast_category', sa.Enum('PIPELINE', 'BEST_CASE', 'COMMIT', 'CLOSED', 'OMITTED', name='forecastcategory', native_enum=False, length=32), nullable=False),
    sa.Column('closed_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lost_reason', sa.String(length=500), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_opportunity_account_id_account')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_opportunity_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_opportunity_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['primary_contact_id'], ['contact.id'], name=op.f('fk_opportunity_primary_contact_id_contact')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_opportunity_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity'))
    )
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_primary_contact_id'), ['primary_contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('support_case',
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('priority', sa.Enum('LOW', 'MEDIUM', 'HIGH', 'URGENT', name='casepriority', native_enum=False, length=32), nullable=False),
    sa.Column('origin', sa.Enum('EMAIL', 'PHONE', 'WEB', 'CHAT', name='caseorigin', native_enum=False, length=32), nullable=True),
    sa.Column('status', sa.Enum('NEW', 'OPEN', 'PENDING', 'ESCALATED', 'RESOLVED', 'CLOSED', name='casestatus', native_enum=False, length=32), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_support_case_account_id_account')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_support_case_contact_id_contact')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_support_case_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_support_case_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_case'))
    )
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_case_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('activity',
    sa.Column('type', sa.Enum('CALL', 'EMAIL', 'MEETING', 'NOTE', 'TASK', 'VIDEO_CALL', name='activitytype', native_enum=False, length=32), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('occurred_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('opportunity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_activity_account_id_account')),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_activity_case_id_support_case')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_activity_contact_id_contact')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_activity_lead_id_lead')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_activity_opportunity_id_opportunity')),
    sa.ForeignKeyConstraint(['owner_id'], ['crm_user.id'], name=op.f('fk_activity_owner_id_crm_user')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_activity_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('opportunity_line_item',
    sa.Column('opportunity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', db.types.ExactDecimal(precision=12, scale=2), nullable=False),
    sa.Column('unit_price', db.types.ExactDecimal(precision=18, scale=2), nullable=False),
    sa.Column('discount', db.types.ExactDecimal(precision=5, scale=2), nullable=False),
    sa.Column('total', db.types.ExactDecimal(precision=18, scale=2), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_opportunity_line_item_opportunity_id_opportunity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_opportunity_line_item_product_id_product')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_opportunity_line_item_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_line_item'))
    )
    with op.batch_alter_table('opportunity_line_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_line_item_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_line_item_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_line_item_workspace_id'), ['workspace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('opportunity_line_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_line_item_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_line_item_product_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_line_item_opportunity_id'))

    op.drop_table('opportunity_line_item')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_activity_owner_id'))
        batch_op.drop_index(batch_op.f('ix_activity_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_activity_lead_id'))
        batch_op.drop_index(batch_op.f('ix_activity_contact_id'))
        batch_op.drop_index(batch_op.f('ix_activity_case_id'))
        batch_op.drop_index(batch_op.f('ix_activity_account_id'))

    op.drop_table('activity')
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_case_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_owner_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_contact_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_account_id'))

    op.drop_table('support_case')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_primary_contact_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_owner_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_account_id'))

    op.drop_table('opportunity')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_lead_referred_by_id'))
        batch_op.drop_index(batch_op.f('ix_lead_owner_id'))
        batch_op.drop_index(batch_op.f('ix_lead_email'))
        batch_op.drop_index(batch_op.f('ix_lead_campaign_id'))

    op.drop_table('lead')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_contact_owner_id'))
        batch_op.drop_index(batch_op.f('ix_contact_email'))
        batch_op.drop_index(batch_op.f('ix_contact_account_id'))

    op.drop_table('contact')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_product_owner_id'))

    op.drop_table('product')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_owner_id'))

    op.drop_table('campaign')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_account_parent_id'))
        batch_op.drop_index(batch_op.f('ix_account_owner_id'))

    op.drop_table('account')
    with op.batch_alter_table('crm_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_user_workspace_id'))

    op.drop_table('crm_user')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_workspace_id'))

    op.drop_table('api_key')
    op.drop_table('workspace')
