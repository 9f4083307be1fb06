"""Vietnamese for the refusals of store/access.py (its messages are the command line's English), and the
field checks every console form shares: a code for programs, a Vietnamese sentence per field."""

from __future__ import annotations

import unicodedata

from core.errors import Conflict, InvalidRequest, NotFound, QueueError
from store.access import MIN_PASSWORD_LENGTH, AccountError

ACCOUNT_REFUSALS = {
    "user_exists": (Conflict, "Tên đăng nhập này đã có. Chọn tên khác."),
    "no_such_user": (NotFound, "Không có người dùng này."),
    "last_admin": (Conflict, "Không thể khóa hoặc hạ quyền quản trị viên cuối cùng còn hoạt động: "
                             "trung tâm sẽ không còn ai quản trị được. Hãy tạo thêm một quản trị viên trước."),
    "unknown_role": (InvalidRequest, "Vai trò phải là cán bộ một cửa, quản lý trung tâm hoặc quản trị viên."),
    "bad_user_name": (InvalidRequest, "Tên đăng nhập gồm 1–64 ký tự in được, không có dấu cách ở đầu hoặc cuối."),
    "password_too_short": (InvalidRequest, f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."),
    "unknown_device_kind": (InvalidRequest, "Loại thiết bị không hợp lệ."),
    "device_paired": (Conflict, "Thiết bị này đang có mã hoạt động. Dùng “Ghép lại” để thu hồi mã cũ và cấp mã mới."),
}


def account_refusal(error: AccountError) -> QueueError:
    """The console's error for a refused account or device change (nothing was changed)."""
    kind, message = ACCOUNT_REFUSALS.get(error.code, (Conflict, "Thay đổi bị từ chối."))
    return kind(error.code, message)


def text_field(form, name: str, label: str, *, max_length: int, required: bool = True) -> str:
    """A form's text field, NFC, trimmed; 400 `<name>_required` / `<name>_too_long` naming the field.

    Whatever it holds (HTML included) is kept as typed and always shown as text (Jinja escapes it)."""
    value = form.get(name, "")
    value = unicodedata.normalize("NFC", value if isinstance(value, str) else "").strip()
    if required and not value:
        raise InvalidRequest(f"{name}_required", f"Chưa nhập “{label}”.", field=name)
    if len(value) > max_length:
        raise InvalidRequest(f"{name}_too_long", f"“{label}” dài quá {max_length} ký tự ({len(value)} ký tự).",
                             field=name, limit=max_length)
    return value


def choice_field(form, name: str, label: str, choices) -> str:
    """A form's value that must be one of `choices`; 400 `<name>_invalid` otherwise."""
    value = form.get(name, "")
    if value not in choices:
        raise InvalidRequest(f"{name}_invalid", f"Giá trị của “{label}” không hợp lệ.", field=name)
    return value
