"""Bar charts as inline SVG, drawn on the server: the browser runs no chart library.

A chart is an image with a title and a description (role="img", <title>, <desc>);
the page puts a table of the same figures beside it for screen readers. Colours come
from CSS classes (the pages' policy allows no inline style): `chart-bar`, and
`series-0` … `series-7` for the parts of a stacked column.
"""

from html import escape

WIDTH = 640
LABEL_WIDTH = 230  # horizontal bars: the labels' column
VALUE_WIDTH = 70  # horizontal bars: the figures' column
ROW = 24
COLUMN_AREA = 200  # stacked columns: the columns' height at the largest total
AXIS = 40  # stacked columns: room for the month labels and the totals
SERIES_CLASSES = 8
MAX_LABEL = 34  # characters of a label a bar chart shows; the table beside it has the rest


def bars(ident: str, title: str, description: str, rows: list, maximum: float | None = None) -> str:
    """Horizontal bars, one per (label, value, figure as shown) in `rows`, scaled to
    `maximum` (default: the largest value)."""
    top = maximum or max((value for _, value, _ in rows), default=0) or 1
    height = ROW * len(rows) + 8
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for n, (label, value, shown) in enumerate(rows):
        y = 4 + n * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end">{escape(_short(label))}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{_round(span * value / top)}"'
            f' height="{ROW - 6}"/>'
            f'<text x="{_round(LABEL_WIDTH + span * value / top + 6)}" y="{y + 16}">{escape(shown)}</text>')
    return _svg(ident, title, description, height, parts)


def columns(ident: str, title: str, description: str, labels: list, series: list) -> str:
    """Stacked columns, one per label (a line break in a label starts a second line); `series` is [(name, [value per column])], each
    drawn in its class `series-<n>` (the page's legend uses the same classes)."""
    totals = [sum(values[n] for _, values in series) for n in range(len(labels))]
    top = max(totals, default=0) or 1
    step = WIDTH / max(len(labels), 1)
    parts = []
    for n, label in enumerate(labels):
        x, base = _round(n * step + step * 0.15), 16 + COLUMN_AREA
        for index, (name, values) in enumerate(series):
            if values[n]:
                height = COLUMN_AREA * values[n] / top
                base -= height
                parts.append(f'<rect class="series-{index % SERIES_CLASSES}" x="{x}" y="{_round(base)}"'
                             f' width="{_round(step * 0.7)}" height="{_round(height)}">'
                             f'<title>{escape(name)}: {values[n]}</title></rect>')
        middle = _round(n * step + step / 2)
        parts.append(f'<text x="{middle}" y="{_round(base - 4)}" text-anchor="middle">{totals[n]}</text>')
        parts += [f'<text x="{middle}" y="{16 + COLUMN_AREA + 16 * line}" text-anchor="middle">{escape(text)}</text>'
                  for line, text in enumerate(label.split("\n"), start=1)]
    return _svg(ident, title, description, 16 + COLUMN_AREA + AXIS, parts)


def _svg(ident: str, title: str, description: str, height: int, parts: list) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
            f' aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
            + "".join(parts) + "</svg>")


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _round(number: float) -> str:
    return f"{number:.1f}".removesuffix(".0")
