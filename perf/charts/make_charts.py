#!/usr/bin/env python3
"""Charts of perf/compare/results.json as SVG, for docs/performance.md.

usage: perf/charts/make_charts.py [--results perf/compare/results.json] [--out docs]

Writes
  compare-latency.svg  latency of ours, PyTorch and ONNX Runtime: one panel per model and batch, a group of bars per
                       thread count; the bar is the figure results.json reports (the median of the burst medians), the
                       whisker the range of the burst medians.
  compare-ratio.svg    peer latency / ours for every row (> 1: the peer is slower).

Standard library only: the machines this runs on need not have matplotlib. Rerun it after perf/compare/run.sh.
"""

import argparse
import json
import math
import os
from xml.sax.saxutils import escape

# One colour per runtime, kept the same in both charts.
RUNTIMES = [
    ("ours", "ours_ms", "CrossVit.NET", "#1f77b4"),
    ("torch", "torch_ms", "PyTorch", "#ff7f0e"),
    ("ort", "ort_ms", "ONNX Runtime", "#2ca02c"),
]
FONT = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\""


def nice_ceiling(value):
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above value, so that the axis ends on a round tick."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * 10 ** exponent >= value:
            return step * 10 ** exponent
    return 10 ** (exponent + 1)


def fmt(value):
    return f"{value:g}" if value >= 10 else f"{value:.1f}"


class Svg:
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, []

    def add(self, text):
        self.parts.append(text)

    def text(self, x, y, s, size=12, anchor="start", weight="normal", rotate=None, fill="#222"):
        transform = f" transform=\"rotate({rotate} {x:.1f} {y:.1f})\"" if rotate is not None else ""
        self.add(f"<text x=\"{x:.1f}\" y=\"{y:.1f}\" {FONT} font-size=\"{size}\" text-anchor=\"{anchor}\" "
                 f"font-weight=\"{weight}\" fill=\"{fill}\"{transform}>{escape(s)}</text>")

    def line(self, x1, y1, x2, y2, stroke="#222", width=1, dash=None):
        d = f" stroke-dasharray=\"{dash}\"" if dash else ""
        self.add(f"<line x1=\"{x1:.1f}\" y1=\"{y1:.1f}\" x2=\"{x2:.1f}\" y2=\"{y2:.1f}\" stroke=\"{stroke}\" "
                 f"stroke-width=\"{width}\"{d}/>")

    def rect(self, x, y, w, h, fill, title=None):
        inner = f"<title>{escape(title)}</title>" if title else ""
        self.add(f"<rect x=\"{x:.1f}\" y=\"{y:.1f}\" width=\"{w:.1f}\" height=\"{h:.1f}\" fill=\"{fill}\">{inner}</rect>")

    def legend(self, x, y, entries):
        for label, colour in entries:
            if colour is None:  # a whisker, drawn as on the bars
                self.line(x + 6, y - 10, x + 6, y + 2, stroke="#000")
                self.line(x + 3, y - 10, x + 9, y - 10, stroke="#000")
                self.line(x + 3, y + 2, x + 9, y + 2, stroke="#000")
            else:
                self.rect(x, y - 10, 12, 12, colour)
            self.text(x + 17, y, label)
            x += 30 + 7.5 * len(label)

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{self.width}\" height=\"{self.height}\" "
                    f"viewBox=\"0 0 {self.width} {self.height}\">\n")
            f.write(f"<rect width=\"{self.width}\" height=\"{self.height}\" fill=\"white\"/>\n")
            f.write("\n".join(self.parts))
            f.write("\n</svg>\n")


def subtitle(env):
    return (f"perf/compare/run.sh, {env['date']}, {env['cpu']} ({env['cpus']} CPUs); PyTorch {env['torch']}, "
            f"ONNX Runtime {env['onnxruntime']}; median of {env['rounds']} bursts")


def latency_chart(data, path):
    rows = data["results"]
    panels = []  # (model, batch) in the order of results.json
    for r in rows:
        if (r["model"], r["batch"]) not in panels:
            panels.append((r["model"], r["batch"]))
    columns = 2
    panel_w, panel_h = 430, 300
    left, top = 20, 80
    grid_rows = math.ceil(len(panels) / columns)
    svg = Svg(left + columns * panel_w + 20, top + grid_rows * panel_h + 20)
    svg.text(20, 26, "Latency per forward pass, lower is better", size=17, weight="bold")
    svg.text(20, 46, subtitle(data["environment"]), size=11, fill="#555")
    svg.legend(20, 68, [(label, colour) for _, _, label, colour in RUNTIMES] + [("range of the burst medians", None)])

    for p, (model, batch) in enumerate(panels):
        ox = left + (p % columns) * panel_w
        oy = top + (p // columns) * panel_h
        # Plot area inside the panel: room for the y labels on the left and the thread labels below.
        px, py, pw, ph = ox + 55, oy + 30, panel_w - 80, panel_h - 75
        mine = [r for r in rows if (r["model"], r["batch"]) == (model, batch)]
        highest = max(max(max(r["burst_medians_ms"][key]) for key, _, _, _ in RUNTIMES) for r in mine)
        ymax = nice_ceiling(highest)
        svg.text(ox + panel_w / 2, oy + 18, f"{model}, batch {batch}", size=13, anchor="middle", weight="bold")
        for i in range(6):
            value = ymax * i / 5
            y = py + ph - ph * i / 5
            svg.line(px, y, px + pw, y, stroke="#ddd")
            svg.text(px - 6, y + 4, fmt(value), size=11, anchor="end")
        svg.text(ox + 14, py + ph / 2, "ms", size=11, anchor="middle", rotate=-90)
        svg.line(px, py + ph, px + pw, py + ph)
        group_w = pw / len(mine)
        bar_w = group_w * 0.7 / len(RUNTIMES)
        for g, r in enumerate(sorted(mine, key=lambda r: r["threads"])):
            gx = px + g * group_w + group_w * 0.15
            for b, (key, field, label, colour) in enumerate(RUNTIMES):
                value = r[field]
                x = gx + b * bar_w
                h = ph * value / ymax
                svg.rect(x + 1, py + ph - h, bar_w - 2, h, colour, f"{label}: {value:.1f} ms")
                lo, hi = min(r["burst_medians_ms"][key]), max(r["burst_medians_ms"][key])
                # The label goes above the bar or its whisker, whichever is higher, so that neither hides it.
                label_y = py + ph - ph * max(value, hi) / ymax - 4
                svg.text(x + bar_w / 2, label_y, f"{value:.0f}" if value >= 100 else f"{value:.1f}",
                         size=10, anchor="middle")
                cx = x + bar_w / 2
                ylo, yhi = py + ph - ph * lo / ymax, py + ph - ph * hi / ymax
                svg.line(cx, ylo, cx, yhi, stroke="#000", width=1)
                svg.line(cx - 3, ylo, cx + 3, ylo, stroke="#000")
                svg.line(cx - 3, yhi, cx + 3, yhi, stroke="#000")
            threads = r["threads"]
            svg.text(px + g * group_w + group_w / 2, py + ph + 18, f"{threads} thread{'s' if threads > 1 else ''}",
                     size=12, anchor="middle")
    svg.write(path)


def ratio_chart(data, path):
    rows = data["results"]
    peers = [rt for rt in RUNTIMES if rt[0] != "ours"]
    row_h, left, top = 34, 300, 80
    plot_w = 520
    svg = Svg(left + plot_w + 60, top + row_h * len(rows) + 50)
    svg.text(20, 26, "Peer latency / CrossVit.NET latency (> 1: the peer is slower)", size=17, weight="bold")
    svg.text(20, 46, subtitle(data["environment"]), size=11, fill="#555")
    svg.legend(20, 68, [(label, colour) for _, _, label, colour in peers])
    highest = max(r[f"{key}_over_ours"] for r in rows for key, _, _, _ in peers)
    xmax = math.ceil(highest * 2) / 2 + 0.5  # to the next half, and room for the last label
    bottom = top + row_h * len(rows)
    for i in range(int(xmax * 2) + 1):  # a grid line every 0.5
        value = i / 2
        x = left + plot_w * value / xmax
        svg.line(x, top, x, bottom, stroke="#ddd")
        svg.text(x, bottom + 16, f"{value:g}", size=11, anchor="middle")
    one = left + plot_w / xmax
    svg.line(one, top - 4, one, bottom, stroke="#c00", dash="4 3")
    svg.text(one + 4, top - 6, "1 = as fast as ours", size=10, fill="#c00")
    bar_h = (row_h - 8) / len(peers)
    for i, r in enumerate(rows):
        y = top + i * row_h + 4
        threads = r["threads"]
        svg.text(left - 8, y + row_h / 2, f"{r['model']}, batch {r['batch']}, {threads} thread{'s' if threads > 1 else ''}",
                 size=12, anchor="end")
        for b, (key, _, label, colour) in enumerate(peers):
            value = r[f"{key}_over_ours"]
            w = plot_w * value / xmax
            svg.rect(left, y + b * bar_h, w, bar_h - 1, colour, f"{label} / ours: {value:.2f}")
            svg.text(left + w + 4, y + b * bar_h + bar_h - 3, f"{value:.2f}", size=10)
    svg.line(left, top, left, bottom)
    svg.write(path)


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=os.path.join(root, "perf", "compare", "results.json"))
    parser.add_argument("--out", default=os.path.join(root, "docs"))
    args = parser.parse_args()
    with open(args.results, encoding="utf-8") as f:
        data = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    for name, chart in (("compare-latency.svg", latency_chart), ("compare-ratio.svg", ratio_chart)):
        path = os.path.join(args.out, name)
        chart(data, path)
        print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
