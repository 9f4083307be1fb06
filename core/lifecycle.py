"""A ticket's life: which status may follow which, and nothing else.

waiting → called → serving → done
called → no_show → waiting (again, within the return window)
waiting / called / serving → transferred (to another service or counter; callable like waiting)
waiting / transferred → cancelled
anything still open when its day is over → expired (kept, never deleted)
"""

from __future__ import annotations

from .errors import Conflict

WAITING, CALLED, SERVING, DONE = "waiting", "called", "serving", "done"
NO_SHOW, TRANSFERRED, CANCELLED, EXPIRED = "no_show", "transferred", "cancelled", "expired"

STATUS_NAMES_VI = {
    WAITING: "đang chờ", CALLED: "đã gọi", SERVING: "đang phục vụ", DONE: "đã xong",
    NO_SHOW: "vắng mặt", TRANSFERRED: "đã chuyển", CANCELLED: "đã hủy", EXPIRED: "hết hạn",
}

# A transferred ticket waits at its new service or counter, so it is callable like a waiting one.
CALLABLE = (WAITING, TRANSFERRED)
OPEN = (WAITING, CALLED, SERVING, TRANSFERRED, NO_SHOW)

ALLOWED = {
    WAITING: {CALLED, TRANSFERRED, CANCELLED, EXPIRED},
    TRANSFERRED: {CALLED, TRANSFERRED, CANCELLED, EXPIRED},
    CALLED: {CALLED, SERVING, NO_SHOW, TRANSFERRED, EXPIRED},  # called → called is a recall
    SERVING: {DONE, TRANSFERRED, EXPIRED},
    NO_SHOW: {WAITING, EXPIRED},
    DONE: set(), CANCELLED: set(), EXPIRED: set(),
}

ACTION_NAMES_VI = {
    CALLED: "gọi số", SERVING: "bắt đầu phục vụ", DONE: "hoàn thành", NO_SHOW: "đánh dấu vắng mặt",
    TRANSFERRED: "chuyển", CANCELLED: "hủy", EXPIRED: "đánh dấu hết hạn", WAITING: "đưa lại vào hàng chờ",
}


def check_transition(current: str, target: str) -> None:
    """Raise Conflict('illegal_transition') unless `current → target` is allowed."""
    if target not in ALLOWED.get(current, set()):
        raise Conflict("illegal_transition",
                       f"Không thể {ACTION_NAMES_VI.get(target, target)} khi số đang ở trạng thái "
                       f"“{STATUS_NAMES_VI.get(current, current)}”.",
                       status=current, target=target)
