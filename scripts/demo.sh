#!/usr/bin/env bash
# One command: set up .venv and start the demo centre (config.toml, data/demo.db) on port 8080 (staff) and 8081 (phones' status pages).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
apt_install espeak-ng   # the lobby displays' offline Vietnamese voice (README, "Lobby display")
.venv/bin/python server.py --config config.toml --db data/demo.db seed-demo
# A year of working days of history for the reports and the board, once: skipped when the demo already has tickets.
.venv/bin/python server.py --config config.toml --db data/demo.db seed-history --days 250 --per-day 120 --today --if-empty
# The sample dossiers for "Tra cứu hồ sơ" and the results board, dated around today (README "Hồ sơ (dossiers)").
.venv/bin/python -m tools.dossier_sample data/dossiers_demo.csv
.venv/bin/python server.py --config config.toml --db data/demo.db import-dossiers data/dossiers_demo.csv
exec .venv/bin/python server.py --config config.toml --db data/demo.db --host "${HOST:-0.0.0.0}" --port "${PORT:-8080}" \
    --public-host "${PUBLIC_HOST:-0.0.0.0}" --public-port "${PUBLIC_PORT:-8081}"
