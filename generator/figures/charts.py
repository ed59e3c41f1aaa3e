"""Charts of the PDF as inline SVG, drawn from the figures (pure: DataFrames in, SVG text out).

Vector, so they stay sharp on a phone and on paper; readable in black and white, because each
series has its own line style and marker (solid line with filled squares = founded, dashed line
with open circles = the target path, dotted steps = the target of the phases begun) and colour only
adds to that. Every text is escaped here; the template marks the result safe.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

import pandas as pd

from generator.core.periods import THAI_MONTHS_ABBR, Period

FOUNDED_COLOUR = "#1f4e79"
PATH_COLOUR = "#000000"
TARGET_COLOUR = "#555555"
GRID_COLOUR = "#d0d0d0"
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


@dataclass(frozen=True)
class Series:
    """One area's cumulative figures month by month (a row of progress_by_month per month)."""

    months: list[str]  # Period keys, fiscal year order
    founded: list[int]
    target_path: list[float]
    target: list[int]


def series(progress: pd.DataFrame, scope: str) -> Series:
    rows = progress[progress["scope"] == scope].sort_values("month")
    return Series(list(rows["month"]), [int(v) for v in rows["founded"]],
                  [float(v) for v in rows["target_path"]], [int(v) for v in rows["target"]])


def nice_scale(top: float, max_ticks: int = 6) -> tuple[int, int]:
    """(axis maximum, tick step) with at most max_ticks steps and round numbers."""
    top = max(1.0, float(top))
    for step in NICE_STEPS:
        if top / step <= max_ticks:
            return int(-(-top // step) * step), step
    step = NICE_STEPS[-1]
    return int(-(-top // step) * step), step


def _num(v: float) -> str:
    return f"{v:,.0f}"


def _path(v: float) -> str:
    """A target-path value: whole when it is, else one decimal."""
    return _num(v) if v == int(v) else f"{v:,.1f}"


def _polyline(points, **attrs) -> str:
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<polyline points="{pts}" fill="none" {extra}/>'


def _markers(points, kind: str, size: float, colour: str) -> str:
    """All the markers of a series as one path (one SVG element lays out much faster than many)."""
    if not points:
        return ""
    if kind == "square":
        d = "".join(f"M{x - size:.1f},{y - size:.1f}h{2 * size:.1f}v{2 * size:.1f}h{-2 * size:.1f}z" for x, y in points)
        return f'<path d="{d}" fill="{colour}"/>'
    r = size
    d = "".join(f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0z"
                for x, y in points)
    return f'<path d="{d}" fill="#fff" stroke="{colour}" stroke-width="1.2"/>'


def _steps(points) -> list[tuple[float, float]]:
    """A step line through month points: the target changes when a phase begins."""
    out = []
    for i, (x, y) in enumerate(points):
        if i:
            out.append((x, out[-1][1]))
        out.append((x, y))
    return out


def progress_chart(s: Series, months: list[Period], *, width: int = 600, height: int = 250,
                   labels: dict[str, str], small: bool = False, title: str | None = None,
                   no_data: str | None = None) -> str:
    """Cumulative groups founded against the target path, over the fiscal year's months.

    labels: founded, path, target (legend words). no_data: words shown instead of the founded line
    (an area whose report of the month was not accepted has no figures, not zero groups)."""
    font = 12 if small else 12.5
    left, right = (26 if small else 40), width - (22 if small else 44)
    top = (24 if title else 8) if small else 34
    bottom = height - (17 if small else 36)
    known = {k: i for i, k in enumerate(s.months)}
    xs = [left + (right - left) * (i + 0.5) / len(months) for i in range(len(months))]
    top_value = max([1] + s.founded + s.target + [int(-(-v // 1)) for v in s.target_path])
    y_max, step = nice_scale(top_value, 3 if small else (6 if height >= 200 else 4))

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / y_max

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" font-family="Sarabun" font-size="{font}" role="img">']
    if title:
        parts.append(f'<text x="2" y="{font + 3}" font-weight="bold" font-size="{font + 1}">{escape(title)}</text>')
    # grid and y axis
    for v in range(0, y_max + 1, step):
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID_COLOUR}" '
                     f'stroke-width="0.6"/>')
        if not small or v in (0, y_max):
            parts.append(f'<text x="{left - 4}" y="{y(v) + font * 0.35:.1f}" text-anchor="end">{_num(v)}</text>')
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#000" stroke-width="0.8"/>')
    # x axis: month names (every third one on a small chart); the months still to come are grey
    last_known = max(known.values()) if known else -1
    # The report's language: month abbreviations and the era come with the legend words.
    month_names = labels.get("months") or THAI_MONTHS_ABBR
    year_offset = labels.get("year_offset", 543)
    for i, m in enumerate(months):
        index = known.get(m.key)
        if small and index != last_known and (i % 3 or (last_known >= 0 and abs(i - last_known) == 1)):
            continue  # every third month, and never crowding the month reported
        grey = "" if index is not None else ' fill="#888"'
        bold = ' font-weight="bold"' if index == last_known and index is not None else ""
        parts.append(f'<text x="{xs[i]:.1f}" y="{bottom + font + 3:.1f}" text-anchor="middle"{grey}{bold}>'
                     f'{escape(month_names[m.month - 1])}</text>')
        if not small and (i == 0 or m.month == 1):  # the year (BE in Thai) under its first month
            parts.append(f'<text x="{xs[i]:.1f}" y="{bottom + 2 * font + 5:.1f}" text-anchor="middle"{grey}>'
                         f'{m.year + year_offset}</text>')
    points = {key: [] for key in ("founded", "path", "target")}
    for i, m in enumerate(months):
        j = known.get(m.key)
        if j is None:
            continue
        points["founded"].append((xs[i], y(s.founded[j])))
        points["path"].append((xs[i], y(s.target_path[j])))
        points["target"].append((xs[i], y(s.target[j])))
    lw = 1.4 if small else 1.8
    if points["target"]:
        parts.append(_polyline(_steps(points["target"]), stroke=TARGET_COLOUR, stroke_width=lw * 0.8,
                               stroke_dasharray="1.5 2.5"))
        parts.append(_polyline(points["path"], stroke=PATH_COLOUR, stroke_width=lw, stroke_dasharray="6 3"))
        parts.append(_markers(points["path"], "circle", 2.2 if small else 3, PATH_COLOUR))
        x_end = points["founded"][-1][0]
        founded, path = s.founded[last_known], s.target_path[last_known]
        if no_data:  # on a white box, so the target lines do not cross the words
            w = sum(1 for ch in no_data if unicodedata.category(ch) != "Mn") * font * 0.55 + 8
            parts.append(f'<rect x="{left + 2}" y="{top + 1:.1f}" width="{w:.1f}" height="{font + 5:.1f}" fill="#fff" '
                         f'stroke="#000" stroke-width="0.6"/>')
            parts.append(f'<text x="{left + 5}" y="{top + font + 1:.1f}" font-weight="bold">{escape(no_data)}</text>')
        else:
            parts.append(_polyline(points["founded"], stroke=FOUNDED_COLOUR, stroke_width=lw * 1.5))
            parts.append(_markers(points["founded"], "square", 2.2 if small else 3.2, FOUNDED_COLOUR))
            # the latest figures, written at the end of the lines
            y_f, y_p = y(founded), y(path)
            if abs(y_f - y_p) < font:  # keep the two labels apart
                y_f, y_p = (y_f - font / 2, y_p + font / 2) if founded >= path else (y_f + font / 2, y_p - font / 2)
            parts.append(f'<text x="{x_end + 5:.1f}" y="{y_f + font * 0.35:.1f}" font-weight="bold" '
                         f'fill="{FOUNDED_COLOUR}">{_num(founded)}</text>')
            if not small:
                parts.append(f'<text x="{x_end + 5:.1f}" y="{y_p + font * 0.35:.1f}">{_path(path)}</text>')
    if not small:  # legend
        x = left
        for key, kind, colour, dash, w in (("founded", "square", FOUNDED_COLOUR, None, lw * 1.5),
                                           ("path", "circle", PATH_COLOUR, "6 3", lw),
                                           ("target", None, TARGET_COLOUR, "1.5 2.5", lw * 0.8)):
            attrs = {"stroke": colour, "stroke_width": w}
            if dash:
                attrs["stroke_dasharray"] = dash
            parts.append(_polyline([(x, 12), (x + 28, 12)], **attrs))
            if kind:
                parts.append(_markers([(x + 14, 12)], kind, 3, colour))
            text = labels[key]
            if key == "target" and s.target:
                text = f"{text} {_num(s.target[last_known])}"
            parts.append(f'<text x="{x + 34}" y="{12 + font * 0.35:.1f}">{escape(text)}</text>')
            x += 34 + len(text) * font * 0.5 + 22
    parts.append("</svg>")
    return "".join(parts)
