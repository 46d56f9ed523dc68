"""The store a URL names (`CDS_STORE_URL`): the one place that knows every backend.

It sits beside the backends rather than in `store`, which they import for the interface: so the
interface never imports its own implementations. Backends are imported when chosen, so a SQLite
deployment never loads the PostgreSQL driver.
"""

from __future__ import annotations

from cds_service.storage.dependencies import redact, scheme, sqlite_path
from cds_service.storage.store import Store


def open_store(url: str) -> Store:
    """The backend `url` names; its schema is created or migrated now (a PostgreSQL server that is
    down at start-up is migrated when it first answers)."""
    kind = scheme(url)
    if kind == "sqlite":
        from cds_service.storage.store_sqlite import SqliteStore

        return SqliteStore(sqlite_path(url, create_directory=True))
    if kind in ("postgresql", "postgres"):
        from cds_service.storage.store_postgres import PostgresStore

        return PostgresStore(url)
    raise ValueError(f"CDS_STORE_URL must start with sqlite:/// or postgresql://, got {redact(url)!r}")
