#!/usr/bin/env bash
# One command: set up .venv with the test tools, install the Debian packages tests need, run every test.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh test
apt_install espeak-ng chromium   # offline voice (tests/hardware/test_voice.py); browser tests (tests/browser)
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest's 5 means "no tests collected": a run that tests nothing must not pass.
exit $status
