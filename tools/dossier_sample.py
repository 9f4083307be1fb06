"""The demo's sample dossiers: python -m tools.dossier_sample OUT.csv [--today YYYY-MM-DD]

Writes 40 made-up dossiers as a một cửa điện tử export would (the headings of [dossiers.columns]'s
defaults), dated around `today` so the demo's lookups and board always look current: some being
processed, some waiting for papers, some ready to pick up, some handed over (early, on time and late)
and two overdue. Names, phones and e-mails are invented (phones 0900 000 xxx, e-mails @example.invalid);
the import keeps only the masked name. Codes end in a Luhn check digit (config.toml's `checksum = "luhn"`).
`samples/dossiers_demo.csv` is this file made for 2 Dec 2026; scripts/demo.sh makes a fresh one.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta

from core.dossier_settings import DEFAULT_COLUMNS
from core.dossiers import luhn_digit

PROCEDURES = [  # (thủ tục, lĩnh vực, working days to resolve)
    ("Đăng ký khai sinh", "Hộ tịch", 1), ("Đăng ký kết hôn", "Hộ tịch", 3),
    ("Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3),
    ("Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", 25),
    ("Đăng ký biến động đất đai (chuyển nhượng, tặng cho, thừa kế)", "Đất đai", 10),
    ("Đăng ký thành lập doanh nghiệp", "Đăng ký kinh doanh", 3), ("Đăng ký hộ kinh doanh", "Đăng ký kinh doanh", 3),
    ("Cấp Phiếu lý lịch tư pháp", "Tư pháp", 10), ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15),
    ("Giải quyết hưởng trợ cấp thất nghiệp", "Lao động - Thương binh và Xã hội", 20),
    ("Đổi, cấp lại giấy phép lái xe", "Giao thông vận tải", 5),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân", "Thảo", "Trang"]
AGENCIES = {"Hộ tịch": "Phòng Tư pháp", "Đất đai": "Văn phòng Đăng ký đất đai", "Tư pháp": "Sở Tư pháp",
            "Đăng ký kinh doanh": "Phòng Tài chính – Kế hoạch", "Xây dựng": "Phòng Quản lý đô thị",
            "Lao động - Thương binh và Xã hội": "Trung tâm Dịch vụ việc làm", "Giao thông vận tải": "Sở Giao thông vận tải"}
SUPPLEMENTS = ["Cần bổ sung bản sao Căn cước", "Cần bổ sung giấy ủy quyền có công chứng", "Cần bổ sung ảnh 3x4"]
PLAN = ["processing"] * 14 + ["supplement"] * 4 + ["ready"] * 8 + ["returned"] * 12 + ["overdue"] * 2


def code_for(received: date, sequence: int) -> str:
    """000.00.31.H99-YYMMDD-NNNC: agency code, receiving date, a 3-digit number and a Luhn digit."""
    body = f"000.00.31.H99-{received:%y%m%d}-{sequence:03d}"
    digits = "".join(char for char in body if char.isdigit())
    return body + luhn_digit(digits)


def sample_rows(today: date, seed: int = 13) -> list[dict]:
    """40 dossiers as {heading: cell} rows, dated around `today`."""
    pick = random.Random(seed)
    rows = []
    for index, status in enumerate(PLAN, start=1):
        procedure, group, days = PROCEDURES[index % len(PROCEDURES)]
        if status == "overdue":
            received = today - timedelta(days=days + 12)
            due = today - timedelta(days=3)
        elif status in ("processing", "supplement"):
            received = today - timedelta(days=pick.randint(0, max(1, days - 1)))
            due = received + timedelta(days=days + 2)
        else:  # resolved: received in the last two months, most early, some on time, one late
            received = today - timedelta(days=pick.randint(days + 2, days + 50))
            if index == 37:
                received = today - timedelta(days=days + 10)  # due 8 days ago, resolved 2 days late
            elif status == "ready":
                received = today - timedelta(days=days + pick.randint(0, 1))  # ready today, early
            due = received + timedelta(days=days + 2)
        resolved = ""
        if status in ("ready", "returned"):
            shift = -2 if index % 4 else 0
            if index == 37:
                shift = 2  # one late result
            resolved_day = today if status == "ready" else min(due + timedelta(days=shift), today)
            resolved = resolved_day.strftime("%d/%m/%Y")
        name = f"{pick.choice(FAMILY)} {pick.choice(MIDDLE)} {pick.choice(GIVEN)}"
        words = {"processing": "Đang xử lý", "supplement": "Chờ bổ sung", "ready": "Đã có kết quả",
                 "returned": "Đã trả kết quả", "overdue": "Đang xử lý"}  # overdue: the system still says "đang xử lý"
        rows.append({
            "code": code_for(received, index), "procedure": procedure, "group": group,
            "received": received.strftime("%d/%m/%Y"), "due": due.strftime("%d/%m/%Y"), "status": words[status],
            "step": (f"{AGENCIES[group]} đang thẩm định" if status in ("processing", "overdue")
                     else pick.choice(SUPPLEMENTS) if status == "supplement" else ""),
            "note": "Mang theo giấy hẹn và Căn cước khi nhận kết quả." if status == "ready" else "",
            "name": name, "phone": f"0900000{index:03d}", "email": f"cong-dan-{index}@example.invalid",
            "resolved": resolved,
        })
    return rows


def write_sample(path: str, today: date) -> int:
    """Write the sample CSV (UTF-8 with BOM, as Excel saves it); returns the number of dossiers."""
    rows = sample_rows(today)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Danh sách hồ sơ – xuất từ hệ thống một cửa điện tử (mẫu demo)"])
        writer.writerow([DEFAULT_COLUMNS[field] for field in DEFAULT_COLUMNS])
        for row in rows:
            writer.writerow([row[field] for field in DEFAULT_COLUMNS])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    print(f"{write_sample(args.out, args.today)} dossiers written to {args.out}")


if __name__ == "__main__":
    main()
