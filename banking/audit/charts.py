"""Charts for the auditors' overview as SVG rendered on the server: pure functions from numbers
to markup. No JavaScript and no CDN: the page's CSP (`default-src 'self'`) stays as it is,
the charts print and save with the page, and a few bars and lines need no charting library.
Colours are presentation attributes, not `style`, which the CSP forbids. Every text is
escaped; every mark carries a `<title>` (a tooltip, and read by screen readers)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

#: colour-blind safe (Okabe and Ito), dark enough for the white page
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#666666")
WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


def _nice_max(value: int) -> int:
    """A round axis top at or above `value` that four grid steps divide evenly."""
    magnitude = 1
    while True:
        for step in (4, 8, 12, 20, 40, 60, 80):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def _frame(title: str, body: list[str], height: int = HEIGHT, width: int = WIDTH) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg" font-size="11" '
        f'font-family="system-ui, sans-serif"><title>{label}</title>{"".join(body)}</svg>')


def _y_axis(top: int, plot_h: int, width: int = WIDTH) -> list[str]:
    marks = []
    for i in range(5):
        value = top * i // 4
        y = TOP + plot_h - plot_h * i / 4
        marks.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde1e6"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5360">{value}</text>')
    return marks


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, len(labels) // 7)  # at most about seven dates fit under the axis
    return [f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#4a5360">'
            f'{escape(label[5:] if len(label) == 10 else label)}</text>'
            for i, label in enumerate(labels) if i % every == 0]


def stacked_columns(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """A column per label (a day), each stacked by series (a family)."""
    shown = dict(series)  # every series keeps its colour, as in the legend
    totals = [sum(values[i] for values in shown.values()) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_h, slot = HEIGHT - TOP - BOTTOM, (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    body = _y_axis(top, plot_h)
    for i, label in enumerate(labels):
        base = 0
        for k, (name, values) in enumerate(shown.items()):
            if not values[i]:
                continue
            h = plot_h * values[i] / top
            y = TOP + plot_h - plot_h * base / top - h
            body.append(f'<rect class="mark" x="{LEFT + slot * i + slot * 0.15:.1f}" y="{y:.1f}" '
                        f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                        f'<title>{escape(label)} · {escape(name)}: {values[i]}</title></rect>')
            base += values[i]
    body += _x_labels(labels, slot)
    return _frame(title, body)


def lines(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """A line per series over the labels (days), with a dot per point."""
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    plot_h, slot = HEIGHT - TOP - BOTTOM, (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    body = _y_axis(top, plot_h)
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top) for i, v in enumerate(values)]
        body.append(f'<polyline class="mark" fill="none" stroke="{colour}" stroke-width="2" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        body += [f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                 f'<title>{escape(labels[i])} · {escape(name)}: {values[i]}</title></circle>'
                 for i, (x, y) in enumerate(points)]
    body += _x_labels(labels, slot)
    return _frame(title, body)


def bars(title: str, rows: Sequence[tuple[str, Mapping[str, int]]]) -> Markup:
    """A horizontal bar per row, stacked by its parts (one part: a plain bar)."""
    names = sorted({part for _, parts in rows for part in parts})  # as `legend(sorted(...))` shows them
    top = _nice_max(max((sum(parts.values()) for _, parts in rows), default=0))
    row_h, label_w = 26, 110
    height = TOP + BOTTOM + row_h * max(len(rows), 1)
    plot_w = WIDTH - label_w - RIGHT - 40
    body = []
    for r, (label, parts) in enumerate(rows):
        y = TOP + row_h * r
        body.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" fill="#1b1f24">'
                    f'{escape(label)}</text>')
        x = float(label_w)
        for name, value in parts.items():
            if not value:
                continue
            w = plot_w * value / top
            colour = PALETTE[names.index(name) % len(PALETTE)]
            body.append(f'<rect class="mark" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{colour}"><title>{escape(label)} · {escape(name)}: {value}</title></rect>')
            x += w
        body.append(f'<text x="{x + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" fill="#4a5360">{sum(parts.values())}</text>')
    return _frame(title, body, height=height)


def legend(names: Sequence[str]) -> Markup:
    """The series' colours, as HTML under a chart (it wraps with the page)."""
    return Markup("".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{PALETTE[k % len(PALETTE)]}"/></svg> {escape(name)}</li>' for k, name in enumerate(names)))
