"""Where dossiers come from (issue 13): one small protocol and its adapters, like hardware/.

- `source.DossierSource`: `lookup(code) -> Dossier | None`, raising `SourceUnavailable` when the system
  cannot answer now (slow, dead, HTML, 500, invalid JSON, a record with missing fields).
- `source.StoredSource`: the import adapter's side of a lookup: what `importer.import_file` stored.
- `http_source.HttpSource`: `GET {url}/{code}` with an auth header, a field mapping, a timeout and a cache.
- `importer`: CSV and XLSX exports, columns mapped in [dossiers.columns]; `watcher`: the watched folder.
- `desk.DossierDesk`: what the kiosk and the counter call: code checks, the per-device slow-down, the view.
"""
