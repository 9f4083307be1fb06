"""A second process that holds SQLite's write lock on a live server's database, as a DB browser does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()          # hold the write lock until told to let go
connection.execute("ROLLBACK")
print("released", flush=True)
"""


class WriteLockHolder:
    """`BEGIN IMMEDIATE` in its own process until `release()`."""

    def __init__(self, database: Path):
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(database)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("go\n")
            self.process.stdin.flush()
            assert self.process.stdout.readline().strip() == "released"
            self.process.wait(timeout=10)

    def __enter__(self) -> "WriteLockHolder":
        return self

    def __exit__(self, *exc) -> None:
        self.release()
