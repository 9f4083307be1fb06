"""The serial rating keypads of config.toml ([[raters]]): a press rates the ticket just finished at that counter.

A press is a rating like a tap on the rating screen (core/rating.py Ratings.rate_pending): it rates what
the screen is asking about now, and is refused (logged, nothing written) when nothing is asked, the
ticket is already rated (a second press, a bounce) or the button is beyond `rating.levels`. A keypad that
disconnects or comes back is a `rater_status` event for its counter, like a scanner's.
"""

from __future__ import annotations

import logging
from functools import partial

from core import events
from core.errors import QueueError
from core.rating import Ratings
from hardware.rater import keypad_reader
from hardware.stations import ReaderGroup

log = logging.getLogger(__name__)


class RaterStation(ReaderGroup):
    """One reader per [[raters]] keypad, wired to the rating rules. As with scanners, the first state after
    start is not logged (the rating screen asks `statuses()`); changes from then on are events."""

    def __init__(self, engine, raters):
        super().__init__()
        self.engine = engine
        self.ratings = Ratings(engine)
        for index, rater in enumerate(raters):
            reader = keypad_reader(rater.url, rater.baudrate, partial(self._on_press, rater.counter, rater.buttons),
                                   partial(self._on_status, index, rater.counter))
            self.entries.append((rater.counter, reader))

    # --- reader callbacks (on each reader's thread; the reader logs and swallows what they raise) ---------
    def _on_press(self, counter_id: str, buttons: int, button: int | None, _text: str) -> None:
        if button is None or button > buttons:
            log.warning("rating keypad at counter %s sent a line that is not a press; ignored", counter_id)
            return
        try:
            self.ratings.rate_pending(counter_id, button, actor=f"rater:{counter_id}")
            log.info("rating keypad at counter %s: rated", counter_id)
        except QueueError as error:  # nothing to rate, already rated, out of range: nothing was written
            log.info("rating keypad at counter %s: refused (%s)", counter_id, error.code)

    def _on_status(self, index: int, counter_id: str, kind: str, detail: str) -> None:
        if kind == "rejected":
            log.warning("rating keypad at counter %s: %s", counter_id, detail)
            return
        if not self.is_news(index, kind):
            return
        counter_name = self.engine.settings.counters[counter_id].name
        message = (f"Bàn phím đánh giá của {counter_name} đã kết nối lại." if kind == "connected"
                   else f"Bàn phím đánh giá của {counter_name} mất kết nối. Kiểm tra dây cáp.")
        self.engine.record_device_event(events.RATER_STATUS, actor=f"rater:{counter_id}", counter=counter_id,
                                        status=kind, message=message)
