"""The report's charts as SVG drawn on the server: nothing to load from the internet, nothing to run in
the browser, and they print as sharply as the text. Presentation attributes only (fill, stroke): the
Content-Security-Policy forbids style attributes. Every chart has a <title> and text labels, so it is
readable without colour too.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .report_tables import number

BAR, LINE, TARGET, GRID, INK = "#1f5f8b", "#c0392b", "#b7791f", "#d5dde6", "#1d2935"


def _svg(width: int, height: int, title: str, body: list[str], chart_id: str) -> Markup:
    return Markup(f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
                  + "".join(body) + "</svg>")


def _text(x, y, text, anchor="middle", size=12, fill=INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
            f"{escape(text)}</text>")


def _nice_top(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step


def bars(points: list[tuple[str, float | None]], *, title: str, chart_id: str, lang: str, target: float | None = None,
         line: list[float | None] | None = None, width: int = 960, height: int = 260) -> Markup:
    """Vertical bars (None = no bar), an optional dashed target line and an optional second series as a
    line on its own right-hand axis (arrivals as bars, mean wait as the line)."""
    left, right, top, bottom = 48, 48 if line else 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in points if v is not None]
    top_value = _nice_top(max(values + ([target] if target else []) or [0]))
    body = []
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, number(top_value * tick / 4, 0, lang), "end", 11))
    slot = plot_w / max(1, len(points))
    every = max(1, round(len(points) / 16))  # at most ~16 labels under the bars
    for index, (label, value) in enumerate(points):
        x = left + index * slot
        if value is not None:
            h = plot_h * value / top_value
            body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                        f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {escape(number(value, 1, lang))}'
                        "</title></rect>")
        if index % every == 0:
            body.append(_text(x + slot / 2, height - bottom + 16, label, size=11))
    if target:
        y = top + plot_h - plot_h * target / top_value
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{TARGET}" '
                    'stroke-width="2" stroke-dasharray="6 4"/>')
        body.append(_text(left + plot_w, y - 4, number(target, 0, lang), "end", 11, TARGET))
    if line:
        known = [v for v in line if v is not None]
        line_top = _nice_top(max(known or [0]))
        path = [f"{left + (i + 0.5) * slot:.1f},{top + plot_h - plot_h * v / line_top:.1f}"
                for i, v in enumerate(line) if v is not None]
        if path:
            body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
        for tick in range(5):
            y = top + plot_h - plot_h * tick / 4
            body.append(_text(left + plot_w + 6, y + 4, number(line_top * tick / 4, 0, lang), "start", 11, LINE))
    return _svg(width, height, title, body, chart_id)


def heatmap(weekday_names: list[str], hours: list[int], cells: dict, field: str, *, title: str, chart_id: str,
            lang: str, digits: int = 0) -> Markup:
    """Weekday rows × hour columns, darker = more; each cell also shows its value."""
    left, top, cell_w, cell_h = 90, 24, 56, 26
    width, height = left + cell_w * max(1, len(hours)) + 8, top + cell_h * 7 + 8
    values = [c[field] for c in cells.values() if c.get(field) is not None]
    high = max(values or [1]) or 1
    body = [_text(left + i * cell_w + cell_w / 2, 16, f"{h:02d}h", size=11) for i, h in enumerate(hours)]
    for row, name in enumerate(weekday_names):
        y = top + row * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, name, "end", 12))
        for col, hour in enumerate(hours):
            cell = cells.get(f"{row + 1}-{hour}")
            value = cell.get(field) if cell else None
            if value is None:
                continue
            strength = value / high
            shade = int(235 - 175 * strength)
            fill = f"rgb({shade},{int(240 - 120 * strength)},{int(250 - 100 * strength)})"
            x = left + col * cell_w
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>')
            body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, number(value, digits, lang), size=11,
                              fill="#ffffff" if strength > 0.55 else INK))
    return _svg(width, height, title, body, chart_id)


def level_bars(levels: list[dict], *, title: str, chart_id: str, lang: str, width: int = 640) -> Markup:
    """One horizontal bar per rating level, with its count."""
    left, row_h = 190, 28
    height = 12 + row_h * max(1, len(levels))
    high = max([row["count"] for row in levels] or [1]) or 1
    body = []
    for index, row in enumerate(levels):
        y = 6 + index * row_h
        w = (width - left - 70) * row["count"] / high
        body.append(_text(left - 8, y + 18, row["name"], "end", 13))
        body.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{BAR}"/>')
        body.append(_text(left + w + 6, y + 18, number(row["count"], 0, lang), "start", 13))
    return _svg(width, height, title, body, chart_id)
