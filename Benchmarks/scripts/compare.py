"""Reads the comparison's logs and CSVs (Benchmarks/results), prints the table
with ratios, and renders the per-second series as SVG charts. Standard library only."""
import csv
import re
import sys
from pathlib import Path

SYSTEMS = ["protosocket", "grpc"]
COLORS = {"protosocket": "#1f77b4", "grpc": "#d62728"}
SUMMARY = re.compile(r"count=(\d+) rate=(\d+)Hz p50=(\d+)µs p90=(\d+)µs p99\.9=(\d+)µs p99\.99=(\d+)µs")


def summary(path):
    """The figures of the log's last summary line."""
    for line in reversed(path.read_text().splitlines()):
        if line.startswith("summary:"):
            m = SUMMARY.search(line)
            keys = ["count", "rate", "p50", "p90", "p999", "p9999"]
            return dict(zip(keys, map(int, m.groups())))
    return None


def best_rate(path):
    if not path.exists():
        return 0
    for line in path.read_text().splitlines():
        m = re.match(r"sweep: highest rate with p99\.9 under [\d.]+ ms: (\d+) Hz", line)
        if m:
            return int(m.group(1))
    return 0


def rows(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def median(values):
    values = sorted(values)
    if not values:
        return 0
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) // 2


def ratio(a, b):
    return f"{a / b:.1f}x" if b else "n/a"


def sweep_ratio(p, g, start):
    if g:
        return ratio(p, g)
    if p:
        return f"> {p / start:.0f}x (grpc-swift-2: no step from {start:,}/s stayed under)"
    return "n/a"


def table(out, rounds, start):
    figures = {}
    for system in SYSTEMS:
        runs = [summary(out / f"{system}-unary-{r}.log") for r in range(1, rounds + 1)]
        runs = [r for r in runs if r]
        stream = summary(out / f"{system}-stream.log") or {}
        long_stream = summary(out / f"{system}-long-stream.log") or {}
        figures[system] = {
            "rate": median([r["rate"] for r in runs]),
            "p50": median([r["p50"] for r in runs]),
            "p999": median([r["p999"] for r in runs]),
            "p9999": median([r["p9999"] for r in runs]),
            "sweep": best_rate(out / f"{system}-sweep.log"),
            "sweep10": best_rate(out / f"{system}-sweep10.log"),
            "stream": stream.get("rate", 0),
            "long_stream": long_stream.get("rate", 0),
        }
    p, g = figures["protosocket"], figures["grpc"]
    lines = [
        "| figure | protosocket | grpc-swift-2 | ratio |",
        "|---|---:|---:|---:|",
        f"| unary throughput at saturation (calls/s, median of {rounds}) | {p['rate']:,} | {g['rate']:,} | {ratio(p['rate'], g['rate'])} |",
        f"| p50 at saturation (µs) | {p['p50']:,} | {g['p50']:,} | {ratio(g['p50'], p['p50'])} lower |",
        f"| p99.9 at saturation (µs) | {p['p999']:,} | {g['p999']:,} | {ratio(g['p999'], p['p999'])} lower |",
        f"| p99.99 at saturation (µs) | {p['p9999']:,} | {g['p9999']:,} | {ratio(g['p9999'], p['p9999'])} lower |",
        f"| highest open-loop rate with p99.9 < 5 ms (calls/s) | {p['sweep']:,} | {g['sweep']:,} | {sweep_ratio(p['sweep'], g['sweep'], start)} |",
        f"| highest open-loop rate with p99.9 < 10 ms (calls/s) | {p['sweep10']:,} | {g['sweep10']:,} | {sweep_ratio(p['sweep10'], g['sweep10'], start)} |",
        f"| streamed responses/s, one connection, 100 per call | {p['stream']:,} | {g['stream']:,} | {ratio(p['stream'], g['stream'])} |",
        f"| streamed responses/s, one connection, 1,000 per call | {p['long_stream']:,} | {g['long_stream']:,} | {ratio(p['long_stream'], g['long_stream'])} |",
    ]
    text = "\n".join(lines)
    (out / "table.md").write_text(text + "\n")
    print(text)


def chart(path, title, unit, series, log_y=False):
    """A line chart: series is {name: [(x, y), ...]}."""
    import math
    width, height, left, right, top, bottom = 720, 360, 80, 150, 40, 50
    points = [p for s in series.values() for p in s]
    if not points:
        return
    xmax = max(x for x, _ in points) or 1
    ys = [y for _, y in points if y > 0] or [1]
    ymin, ymax = (min(ys), max(ys)) if log_y else (0, max(ys))
    if log_y:
        ymin, ymax = 10 ** math.floor(math.log10(ymin)), 10 ** math.ceil(math.log10(ymax))

    def sx(x):
        return left + (width - left - right) * x / xmax

    def sy(y):
        if log_y:
            y = max(y, ymin)
            f = (math.log10(y) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin) or 1)
        else:
            f = y / (ymax or 1)
        return height - bottom - (height - top - bottom) * f

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
           f'<text x="{(width - right + left) / 2}" y="{height - 12}" text-anchor="middle">{"seconds" if not title.startswith("Sweep") else "target rate (calls/s)"}</text>',
           f'<text x="16" y="{(height - bottom + top) / 2}" transform="rotate(-90 16 {(height - bottom + top) / 2})" text-anchor="middle">{unit}</text>']
    ticks = []
    if log_y:
        v = ymin
        while v <= ymax:
            ticks.append(v)
            v *= 10
    else:
        ticks = [ymax * i / 4 for i in range(5)]
    for v in ticks:
        svg.append(f'<line x1="{left - 4}" y1="{sy(v):.1f}" x2="{width - right}" y2="{sy(v):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 8}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    for i in range(5):
        x = xmax * i / 4
        svg.append(f'<text x="{sx(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x:,.0f}</text>')
    for n, (name, pts) in enumerate(series.items()):
        color = COLORS.get(name.split(" ")[0], "#555")
        dash = ' stroke-dasharray="5,3"' if " " in name else ""
        path_points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        svg.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{path_points}"/>')
        svg.append(f'<line x1="{width - right + 10}" y1="{top + 18 * n}" x2="{width - right + 30}" y2="{top + 18 * n}" stroke="{color}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{width - right + 35}" y="{top + 18 * n + 4}">{name}</text>')
    svg.append("</svg>")
    path.write_text("\n".join(svg) + "\n")


def charts(out):
    def series(scenario, column, scale=1.0):
        result = {}
        for system in SYSTEMS:
            f = out / f"{system}-{scenario}.csv"
            if f.exists():
                result[system] = [(float(r["elapsed_s"]), float(r[column]) * scale) for r in rows(f)]
        return result

    chart(out / "unary-throughput.svg", "Unary echo at saturation: throughput", "calls/s", series("unary-1", "rate_hz"))
    latency = {}
    for system in SYSTEMS:
        f = out / f"{system}-unary-1.csv"
        if f.exists():
            data = rows(f)
            latency[f"{system}"] = [(float(r["elapsed_s"]), float(r["p999_us"])) for r in data]
            latency[f"{system} p50"] = [(float(r["elapsed_s"]), float(r["p50_us"])) for r in data]
    chart(out / "unary-latency.svg", "Unary echo at saturation: p99.9 (solid) and p50 (dashed)", "µs", latency, log_y=True)
    sweep = {}
    for system in SYSTEMS:
        f = out / f"{system}-sweep10.log"
        if not f.exists():
            f = out / f"{system}-sweep.log"
        if f.exists():
            steps = []
            for line in f.read_text().splitlines():
                m = re.match(r"step: target=(\d+)Hz .*p99\.9=(\d+)µs", line)
                if m:
                    steps.append((float(m.group(1)), float(m.group(2))))
            sweep[system] = steps
    chart(out / "sweep.svg", "Sweep: p99.9 latency by open-loop rate", "p99.9 µs", sweep, log_y=True)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    start = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    table(out, rounds, start)
    charts(out)
    print(f"charts: {out}/unary-throughput.svg, {out}/unary-latency.svg, {out}/sweep.svg")
