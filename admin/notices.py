"""Thông báo (manager, admin): the lobby displays' scrolling notice, for every display or one.

The notice itself lives in display/notice.py (the same functions PUT /display/notice uses): one
transaction with its `notice_changed` event, which every open display follows live and the change log
shows with who made it.
"""

from __future__ import annotations

from flask import redirect, url_for

from api import centre
from core.errors import InvalidRequest
from display.notice import MAX_LENGTH, all_notices, set_notice

from .console import CONSOLE_ROLES, blueprint, form_data, nav, notice, render, viewer, writer

nav("notices", "admin.notices_page", roles=CONSOLE_ROLES)

WORDS = {
    "vi": {
        "notices_title": "Thông báo trên màn hình sảnh",
        "notices_intro": "Dòng chữ chạy dưới màn hình. Thông báo riêng của một màn hình thay cho thông báo chung "
                         "trên màn hình đó. Để trống rồi lưu để gỡ thông báo.",
        "notice_all": "Mọi màn hình",
        "notice_for": "Màn hình {name}",
        "notice_text": "Nội dung (tối đa {limit} ký tự)",
        "notice_saved": "Đã lưu thông báo cho {target}.",
        "notice_removed": "Đã gỡ thông báo của {target}.",
    },
    "en": {
        "notices_title": "Lobby display notices",
        "notices_intro": "The line that scrolls along the bottom of the displays. A display's own notice replaces "
                         "the common one on that display. Save an empty text to remove a notice.",
        "notice_all": "Every display",
        "notice_for": "Display {name}",
        "notice_text": "Text (at most {limit} characters)",
        "notice_saved": "Notice saved for {target}.",
        "notice_removed": "Notice of {target} removed.",
    },
}


@blueprint.get("/notices")
def notices_page():
    viewer(*CONSOLE_ROLES)
    current = all_notices(centre().store)
    displays = [{"id": d.id, "name": d.name, "text": current["displays"].get(d.id, "")}
                for d in centre().settings.displays.values()]
    return render("admin/notices.html", words_of=WORDS, every=current["all"], displays=displays, limit=MAX_LENGTH)


@blueprint.post("/notices")
def notices_save():
    caller = writer(*CONSOLE_ROLES)
    data = form_data()
    display_id = data.get("display") or None
    if display_id is not None and display_id not in centre().settings.displays:
        raise InvalidRequest("unknown_display", f"Không có màn hình “{display_id}”.", field="display")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise InvalidRequest("text_invalid", "Nội dung thông báo phải là chữ.", field="text")
    event = set_notice(centre().store, text, display_id=display_id, actor=caller.actor)
    target = centre().settings.displays[display_id].name if display_id else None
    notice("notice_saved" if event["details"]["text"] else "notice_removed",
           **({"target": target} if target else {"target_key": "notice_all"}))
    return redirect(url_for("admin.notices_page"), 303)
