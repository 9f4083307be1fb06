#!/usr/bin/env bash
# Sourced by demo.sh and test.sh: make .venv with Python 3.11 and install the pinned dependencies.
# Usage: source scripts/setup.sh [extra]   (extra = "test" to add the test tools)
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  # Install Debian packages only when missing, so a warm machine does not touch the network.
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  apt_install python3.11 python3.11-venv
  PYTHON=python3.11
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install python3.11-venv
fi

extra="${1:-}"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extra:-run}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ -n "$extra" ]; then
    .venv/bin/python -m pip install -q -e ".[$extra]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  touch "$stamp"
fi
