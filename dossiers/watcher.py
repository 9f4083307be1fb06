"""The watched folder ([dossiers] watch_folder): each new or changed .csv/.xlsx dropped there is imported.

The import runs as `server.py import-dossiers FILE` in a child process: parsing a 26,000-row spreadsheet
on the server's event loop would freeze every screen, and a child process is the simplest way to keep
it off (gevent's subprocess is cooperative). Files are remembered by (name, size, mtime) in memory; after
a restart the folder is imported again, which changes nothing (README "Hồ sơ (dossiers)").
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

from .importer import SUFFIXES

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
IMPORT_TIMEOUT = 600


class FolderWatcher:
    def __init__(self, folder: str, every_seconds: int, db_path: str, config_path: str | None = None):
        self.folder, self.every, self.db_path = Path(folder), every_seconds, str(db_path)
        self.config_path = config_path
        self.seen: dict[str, tuple[int, float]] = {}
        self.results: list[dict] = []  # the last outcomes, newest last (for tests and the log)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dossier-watcher", daemon=True)

    def start(self) -> "FolderWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan_once()
            except Exception:  # a folder that vanished, a permission: log it and look again later
                log.exception("dossier folder %s", self.folder)
            self._stop.wait(self.every)

    def scan_once(self) -> None:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() not in SUFFIXES or not path.is_file():
                continue
            stat = path.stat()
            mark = (stat.st_size, stat.st_mtime)
            if self.seen.get(path.name) == mark:
                continue
            self.seen[path.name] = mark
            self._import(path)

    def _import(self, path: Path) -> None:
        command = [sys.executable, str(ROOT / "server.py"), "--db", self.db_path]
        if self.config_path:
            command += ["--config", self.config_path]
        command += ["import-dossiers", str(path)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=IMPORT_TIMEOUT)
        outcome = {"file": path.name, "exit": done.returncode, "out": done.stdout.strip(), "errors": done.stderr.strip()}
        self.results = (self.results + [outcome])[-20:]
        log.info("dossier import %s: exit %s %s %s", path.name, done.returncode, outcome["out"], outcome["errors"][:500])
