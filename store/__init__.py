"""Storage: SQLite through sqlite-utils. The database is the only source of truth."""

from .db import Store, Transaction

__all__ = ["Store", "Transaction"]
