"""full-text search

PostgreSQL: a GIN index on a tsvector expression per searchable table; the expression must
stay identical to resolvers/search.py's DOCUMENTS for the planner to use it.
SQLite: one FTS5 table, kept up to date by triggers; rowid = record id * 8 + type code.

Revision ID: a8490f3d7c75
Revises: 0193b49e9483
Create Date: 2026-11-25 16:51:32.229716
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'a8490f3d7c75'
down_revision: str | None = '0193b49e9483'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (entity type, type code, searchable columns); frozen copy of resolvers/search.py
SEARCHABLE = {
    "account": ("ACCOUNT", 1, ["name", "website", "phone"]),
    "contact": ("CONTACT", 2, ["first_name", "last_name", "email", "phone"]),
    "lead": ("LEAD", 3, ["first_name", "last_name", "company", "email", "phone"]),
    "opportunity": ("OPPORTUNITY", 4, ["name"]),
}


def _document(columns: list[str], prefix: str = "") -> str:
    return " || ' ' || ".join(f"coalesce({prefix}{column}, '')" for column in columns)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, (_, _, columns) in SEARCHABLE.items():
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                f"USING gin (to_tsvector('simple', {_document(columns)}))"
            )
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "body, entity_type UNINDEXED, workspace_id UNINDEXED, archived UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, (entity, code, columns) in SEARCHABLE.items():
        row = (
            f"new.id * 8 + {code}, {_document(columns, 'new.')}, '{entity}', "
            "new.workspace_id, new.archived_at IS NOT NULL"
        )
        insert = (
            "INSERT INTO search_index(rowid, body, entity_type, workspace_id, archived) "
            f"VALUES ({row});"
        )
        op.execute(f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} BEGIN "
            f"DELETE FROM search_index WHERE rowid = old.id * 8 + {code}; {insert} END"
        )
        op.execute(
            "INSERT INTO search_index(rowid, body, entity_type, workspace_id, archived) "
            f"SELECT id * 8 + {code}, {_document(columns)}, '{entity}', workspace_id, "
            f"archived_at IS NOT NULL FROM {table}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SEARCHABLE:
            op.execute(f"DROP INDEX ix_{table}_search")
        return
    for table in SEARCHABLE:
        op.execute(f"DROP TRIGGER {table}_search_insert")
        op.execute(f"DROP TRIGGER {table}_search_update")
    op.execute("DROP TABLE search_index")
