"""Settings from CRM_* environment variables (and a .env file, if present)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./crm.db"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    graphiql: bool = True
    # Larger request bodies are refused with 413 before they are parsed.
    max_body_bytes: int = 1_000_000
    db_pool_size: int = 10
    sql_echo: bool = False
    # How long a valid API key is trusted before it is looked up again (0: every request).
    auth_cache_seconds: float = 30.0
    # A WebSocket that sends no connection_init within this time is closed (4408).
    ws_init_timeout_seconds: float = Field(default=10.0, gt=0)
    ws_max_subscriptions: int = Field(default=20, gt=0)
    # The server pings every connection this often; one that does not answer with a pong
    # within the timeout is closed (4408 "Pong timeout") and its subscriptions end.
    ws_ping_interval_seconds: float = Field(default=15.0, gt=0)
    ws_pong_timeout_seconds: float = Field(default=10.0, gt=0)
    # Open WebSocket connections one API key may hold in one process (4429 beyond that).
    ws_max_connections_per_key: int = Field(default=100, gt=0)
    # Changes a subscription may have waiting to be sent; one that falls further behind is
    # ended with SLOW_CONSUMER and resumes with `after`.
    subscriber_queue_size: int = Field(default=1000, gt=0)
    # On shutdown, how long open WebSockets get to receive `complete` and the 1001 close.
    ws_shutdown_timeout_seconds: float = Field(default=5.0, gt=0)

    # Query limits: checked on every document before any SQL runs.

    # Time limits: how long a request, a statement and a filter may grow.

    # Transport: bodies, browsers (CORS, Origin) and response headers.

    # Rate limits and key revocation.
