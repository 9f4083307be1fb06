"""The watched folder: a CSV dropped there is imported by a child process; the same file is not re-read."""

from __future__ import annotations

from pathlib import Path

from dossiers.watcher import FolderWatcher
from store import Store
from store import dossiers as stored
from tests.web.dossier_support import TODAY
from tools.dossier_sample import write_sample

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


def test_a_dropped_export_is_imported_once_and_again_when_it_changes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "queue.db"
    Store(db).close()
    watcher = FolderWatcher(str(inbox), 1, str(db), str(CONFIG))
    (inbox / "notes.txt").write_text("not an export")
    write_sample(str(inbox / "export.csv"), TODAY)
    watcher.scan_once()
    assert [(r["file"], r["exit"]) for r in watcher.results] == [("export.csv", 0)]
    assert "40 added" in watcher.results[0]["out"]
    watcher.scan_once()
    assert len(watcher.results) == 1  # unchanged file: not imported again
    with open(inbox / "export.csv", "a", encoding="utf-8") as handle:
        handle.write("không,phải,một,dòng,hồ sơ\n")
    watcher.scan_once()
    assert watcher.results[-1]["exit"] == 1 and "dòng 43" in watcher.results[-1]["errors"]
    assert "40 unchanged" in watcher.results[-1]["out"]
    store = Store(db)
    try:
        assert stored.count(store) == 40
    finally:
        store.close()
