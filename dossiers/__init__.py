"""Where dossiers come from (issue 13): one small protocol and its adapters, like hardware/.

- `source.DossierSource`: `lookup(code) -> Dossier | None`, raising `SourceUnavailable` when the system
  cannot answer now (slow, dead, HTML, 500, invalid JSON, a record with missing fields).
- `source.StoredSource`: the import adapter's side of a lookup: what `importer.import_file` stored.
- `http_source.HttpSource`: `GET {url}/{code}` with an auth header, a field mapping, a timeout and a cache.
- `importer`: CSV and XLSX exports, columns mapped in [dossiers.columns]; `watcher`: the watched folder.
- `desk.DossierDesk`: what the kiosk and the counter call: code checks, the per-device slow-down, the view.
"""

from __future__ import annotations


def register(app) -> None:
    """Put the centre's DossierDesk on app.extensions["xephang_dossiers"] (app.register_screens calls it)."""
    from .desk import DossierDesk

    centre = app.extensions["xephang"]
    app.extensions["xephang_dossiers"] = DossierDesk(centre.engine, centre.store)


def start_watcher(app, config_path: str):
    """Start the watched folder of [dossiers] watch_folder, if set (server.py run: the child process of
    each import reads the same config file and database)."""
    from .watcher import FolderWatcher

    centre = app.extensions["xephang"]
    options = centre.settings.dossiers
    if options.source != "import" or not options.watch_folder:
        return None
    watcher = FolderWatcher(options.watch_folder, options.watch_seconds, centre.store.path, config_path).start()
    app.extensions["xephang_dossier_watcher"] = watcher
    return watcher


def current_desk():
    """The running app's DossierDesk (inside a request)."""
    from flask import current_app
    return current_app.extensions["xephang_dossiers"]
