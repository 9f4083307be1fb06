"""Who is called next at a counter: FIFO by arrival, priority first, but never starving everyone else.

Rules (docs/design.md "Fairness rules"):
- candidates arrive here in FIFO order (arrival time, then id); a transferred ticket keeps its original
  arrival unless policy says otherwise, so it regains its place;
- at an ordinary counter a priority ticket (người cao tuổi, người khuyết tật, phụ nữ mang thai, …) goes first,
  but after `priority_streak` priority calls in a row while normal tickets wait, the oldest normal ticket is
  called; the streak only counts calls made while someone normal was waiting;
- a priority counter (quầy ưu tiên, NĐ 107/2021) is dedicated: it always serves priority first, and serves
  normal tickets only when no priority ticket waits;
- a no-show who comes back (returned_at set) rejoins at the back: its arrival becomes the return time, and
  a returned priority ticket does not jump the normal tickets that were already waiting when it came back
  (it would otherwise overtake everyone who waited meanwhile). It keeps its priority over normal tickets
  that arrive after it returned. While it is held back, a later priority ticket that never missed its
  call may still go first: it jumps those normal tickets anyway, and letting the returned ticket block it
  would punish the one who came on time. (At a priority counter too: the rule is about the people
  waiting, not the counter.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    ticket: dict
    priority_streak: int  # the counter's streak after this call


def choose_next(candidates: list[dict], *, streak: int, streak_limit: int, priority_counter: bool) -> Choice | None:
    """Pick the next ticket among FIFO-ordered `candidates`, or None when nobody waits."""
    normal_at = next((index for index, t in enumerate(candidates) if not t["priority"]), None)
    normal = candidates[normal_at] if normal_at is not None else None
    # A returned no-show may go before the oldest normal ticket only if it is older anyway (see above).
    priority = next((t for index, t in enumerate(candidates) if t["priority"] and (
        not t.get("returned_at") or normal_at is None or index < normal_at)), None)
    if priority is None and normal is None:
        return None
    if priority is not None and (normal is None or priority_counter or streak < streak_limit):
        # The streak measures starvation of normal tickets, so it only grows while one waits.
        return Choice(priority, streak + 1 if normal is not None and not priority_counter else 0)
    return Choice(normal, 0)
