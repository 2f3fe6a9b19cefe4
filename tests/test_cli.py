"""The `crm` command as a new user runs it: apikey create on a fresh database, then serve."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

CRM = [sys.executable, "-c", "from api.cli import main; main()"]


def run_crm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CRM, *args], capture_output=True, text=True, env=env, check=True, timeout=60
    )


def crm_env(tmp_path) -> dict[str, str]:
    return {**os.environ, "CRM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_apikey_create_on_a_fresh_database_prints_only_the_key(tmp_path):
    env = crm_env(tmp_path)
    result = run_crm("apikey", "create", "--role", "ADMIN", "--workspace", "Acme", env=env)
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("crm_")
    assert len(lines[0]) > 40
    second = run_crm("apikey", "create", "--role", "READ_ONLY", "--workspace", "Acme", env=env)
    assert second.stdout.strip() != lines[0]


def test_migrate_reports_success(tmp_path):
    result = run_crm("migrate", env=crm_env(tmp_path))
    assert "latest schema" in result.stdout


def test_serve_migrates_and_serves_graphql(tmp_path):
    env = crm_env(tmp_path)
    key = run_crm("apikey", "create", env=env).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [*CRM, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "crm serve did not start"
                time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json()["database"] == "reachable"
        ide = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in ide.text.lower()
        headers = {"Authorization": f"Bearer {key}"}
        created = httpx.post(
            f"{base}/graphql",
            headers=headers,
            json={
                "query": 'mutation { accountCreate(input: {name: "Acme"}) { account { name } userErrors { code } } }'
            },
        )
        assert created.json()["data"]["accountCreate"]["account"] == {"name": "Acme"}
        listed = httpx.get(
            f"{base}/graphql", headers=headers, params={"query": "{ accounts { totalCount } }"}
        )
        assert listed.json() == {"data": {"accounts": {"totalCount": 1}}}
    finally:
        server.terminate()
        server.wait(timeout=10)
