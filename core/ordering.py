"""Who is called next at a counter: FIFO by arrival, priority first, but never starving everyone else.

Rules (DESIGN.md "Fairness rules"):
- candidates arrive here in FIFO order (arrival time, then id); a transferred ticket keeps its original
  arrival unless policy says otherwise, so it regains its place;
- at an ordinary counter a priority ticket (người cao tuổi, người khuyết tật, phụ nữ mang thai, …) goes first,
  but after `priority_streak` priority calls in a row while normal tickets wait, the oldest normal ticket is
  called; the streak only counts calls made while someone normal was waiting;
- a priority counter (quầy ưu tiên, NĐ 107/2021) is dedicated: it always serves priority first, and serves
  normal tickets only when no priority ticket waits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    ticket: dict
    priority_streak: int  # the counter's streak after this call


def choose_next(candidates: list[dict], *, streak: int, streak_limit: int, priority_counter: bool) -> Choice | None:
    """Pick the next ticket among FIFO-ordered `candidates`, or None when nobody waits."""
    priority = next((t for t in candidates if t["priority"]), None)
    normal = next((t for t in candidates if not t["priority"]), None)
    if priority is None and normal is None:
        return None
    if priority is not None and (normal is None or priority_counter or streak < streak_limit):
        # The streak measures starvation of normal tickets, so it only grows while one waits.
        return Choice(priority, streak + 1 if normal is not None and not priority_counter else 0)
    return Choice(normal, 0)
