"""How every benchmark reports: one JSON line per run, then a median line when it ran more than once."""

from __future__ import annotations

import json
import statistics
from typing import Callable


def median_line(lines: list[dict]) -> dict:
    """The median of every numeric field over `lines` (other fields as in the first), marked as such."""
    median = {key: (statistics.median(line[key] for line in lines) if isinstance(value, (int, float))
                    and not isinstance(value, bool) else value)
              for key, value in lines[0].items()}
    return {**median, "summary": f"median of {len(lines)} runs"}


def run_and_report(run: Callable[[], dict], runs: int) -> list[dict]:
    """Call `run` `runs` times, printing each result as it comes and, for several, the median line."""
    lines = []
    for _ in range(runs):
        lines.append(run())
        print(json.dumps(lines[-1]), flush=True)
    if runs > 1:
        print(json.dumps(median_line(lines)), flush=True)
    return lines
