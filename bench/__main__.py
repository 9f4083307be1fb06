"""python -m bench NAME [options]: run one benchmark, print one JSON line per result."""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = {"issue": "bench.issue", "fanout": "bench.fanout", "print": "bench.print", "storage": "bench.storage",
              "signin_flood": "bench.signin_flood", "waiting": "bench.waiting",
              "monitor": "bench.monitor",
              "reports": "bench.reports", "eta": "bench.eta", "notify": "bench.notify"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    args, rest = parser.parse_known_args(argv)
    return importlib.import_module(BENCHMARKS[args.name]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
