"""The committed schema.graphql is what the server serves: a schema change shows in review."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schema.root import schema

SNAPSHOT = Path(__file__).parent.parent / "schema.graphql"


def test_committed_sdl_matches_the_schema():
    printed = schema.as_str() + "\n"
    assert SNAPSHOT.read_text() == printed, (
        "schema changed: run `crm schema > schema.graphql` and review the diff"
    )


def test_crm_schema_prints_the_committed_sdl():
    result = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "schema"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == SNAPSHOT.read_text()
