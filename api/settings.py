"""Settings from CRM_* environment variables (and a .env file, if present)."""

from __future__ import annotations

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
    ws_init_timeout_seconds: float = 10.0
    ws_max_subscriptions: int = 20
