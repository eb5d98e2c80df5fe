#!/usr/bin/env python3
"""Where two replays of the same trace differ, phase by phase (docs/planner.md §6).

Reads two `edge replay --series` files of the same trace (e.g. the planner with its periodic forecast and with
`--planner-forecast perfect`), splits the load into high and low phases at a threshold over its 1 s means, and prints
per phase the battery throughput of one controller in each run and the difference, then the total. With --svg OUT,
also draws the differences as bars over time (above the axis: the first run cycled more).

  python3 docs/planner-phases.py A.csv B.csv [--controller planner] [--threshold-w W] [--svg OUT.svg]

The threshold defaults to the middle of the 10th and 90th percentiles of the 1 s means. Exit 2 with the reason on a
file that is not a series, a controller missing from it, or two series of different traces."""
import csv
import sys


def fail(msg):
    print(f"planner-phases: {msg}", file=sys.stderr)
    sys.exit(2)


def seconds(path, controller):
    """Per whole second of one controller: the mean load, W, and the battery's throughput, J (|battery| × period)."""
    sums = {}
    prev = None  # (second, |battery| W, time s) of the row before: its energy runs until this row
    step = None
    try:
        with open(path, newline="") as f:
            rows = csv.DictReader(f)
            need = {"time_s", "controller", "load_w", "battery_w"}
            if rows.fieldnames is None or not need <= set(rows.fieldnames):
                fail(f"{path}: not an edge replay --series file (needs columns {', '.join(sorted(need))})")
            for line, r in enumerate(rows, start=2):
                if r["controller"] != controller:
                    continue
                try:
                    t, load, bat = float(r["time_s"]), float(r["load_w"]), float(r["battery_w"])
                except ValueError:
                    fail(f"{path}:{line}: a number was expected")
                a = sums.setdefault(int(t), [0.0, 0.0, 0])
                a[0] += load
                a[2] += 1
                if prev is not None:
                    step = t - prev[2]
                    if not step > 0:
                        fail(f"{path}:{line}: time_s does not increase")
                    sums[prev[0]][1] += prev[1] * step
                prev = (int(t), abs(bat), t)
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    if prev is not None and step is not None:
        sums[prev[0]][1] += prev[1] * step  # the last row holds for one period, as the replay counts it
    if not sums:
        fail(f"{path}: no rows for controller '{controller}'")
    last = max(sums)
    return [(sums[s][0] / sums[s][2], sums[s][1]) if s in sums else None for s in range(last + 1)]


def main(argv):
    files, controller, threshold, svg = [], "planner", None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--controller", "--threshold-w", "--svg"):
            if i + 1 >= len(argv):
                fail(f"{a} needs a value")
            v = argv[i + 1]
            if a == "--controller":
                controller = v
            elif a == "--svg":
                svg = v
            else:
                try:
                    threshold = float(v)
                except ValueError:
                    fail(f"--threshold-w: '{v}' is not a number of watts")
            i += 2
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            fail(f"unknown option {a} (see --help)")
        else:
            files.append(a)
            i += 1
    if len(files) != 2:
        fail("two series files are needed (see --help)")
    A, B = seconds(files[0], controller), seconds(files[1], controller)
    n = min(len(A), len(B))
    for s in range(n):
        if (A[s] is None) != (B[s] is None) or (A[s] and abs(A[s][0] - B[s][0]) > 1e-6 * max(1.0, abs(A[s][0]))):
            fail(f"the two series differ in their load at {s} s: not replays of the same trace")
    secs = [s for s in range(n) if A[s] is not None]
    if threshold is None:
        loads = sorted(A[s][0] for s in secs)
        threshold = (loads[len(loads) // 10] + loads[(9 * len(loads)) // 10]) / 2
    phases = []
    start = secs[0]
    for k in range(1, len(secs) + 1):
        if k == len(secs) or (A[secs[k]][0] > threshold) != (A[start][0] > threshold):
            span = [s for s in secs if start <= s < (secs[k] if k < len(secs) else n)]
            wa = sum(A[s][1] for s in span) / 3600  # J → Wh
            wb = sum(B[s][1] for s in span) / 3600
            mean = sum(A[s][0] for s in span) / len(span)
            phases.append((start, len(span), "high" if A[start][0] > threshold else "low", mean, wa, wb))
            if k < len(secs):
                start = secs[k]
    ta, tb = sum(p[4] for p in phases), sum(p[5] for p in phases)
    d = 1 if max(ta, tb) < 1000 else 0  # a small rig's Wh get a decimal
    print(f"controller '{controller}', phases split at {threshold / 1e3:.1f} kW (1 s means); throughput Wh")
    print(f"{'from_s':>6} {'phase':>5} {'len_s':>5} {'load_kW':>7} {'first':>8} {'second':>8} {'diff':>7}")
    for s, length, kind, mean, wa, wb in phases:
        print(f"{s:6d} {kind:>5} {length:5d} {mean / 1e3:7.1f} {wa:8.{d}f} {wb:8.{d}f} {wa - wb:7.{d}f}")
    print(f"{'total':>6} {'':>5} {n:5d} {'':>7} {ta:8.{d}f} {tb:8.{d}f} {ta - tb:7.{d}f}")
    if svg:
        write_svg(svg, phases, n, files)
    return 0


def write_svg(path, phases, n, files):
    w, h, pad = 900, 340, 60
    most = max(1.0, max(abs(p[4] - p[5]) for p in phases))
    x = lambda s: pad + (w - 2 * pad) * s / n
    y = lambda v: h / 2 - (h / 2 - pad) * v / most
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<text x="{pad}" y="20">battery throughput per load phase: first − second run, Wh (max |diff| {most:.0f} Wh)</text>',
           f'<text x="{pad}" y="36" fill="#555">first: {esc(files[0])} · second: {esc(files[1])}</text>']
    for s, length, kind, mean, wa, wb in phases:
        d = wa - wb
        top, bottom = min(y(d), y(0)), max(y(d), y(0))
        colour = "#c0392b" if d > 0 else "#2e86c1"
        out.append(f'<rect x="{x(s):.1f}" y="{top:.1f}" width="{max(1.0, x(s + length) - x(s) - 1):.1f}" '
                   f'height="{max(0.5, bottom - top):.1f}" fill="{colour}" opacity="{0.9 if kind == "high" else 0.55}">'
                   f'<title>{s} s, {kind} {length} s: {d:+.0f} Wh</title></rect>')
    out.append(f'<line x1="{pad}" y1="{y(0):.1f}" x2="{w - pad}" y2="{y(0):.1f}" stroke="#000"/>')
    for v in (most, -most):
        out.append(f'<text x="{pad - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:+.0f}</text>')
    # The running sum of the differences, on its own scale (right-hand labels): where the gap accumulates.
    run, pts = 0.0, [(x(0), 0.0)]
    for s, length, kind, mean, wa, wb in phases:
        run += wa - wb
        pts.append((x(s + length), run))
    far = max(1.0, max(abs(v) for _, v in pts))
    yr = lambda v: h / 2 - (h / 2 - pad) * v / far
    out.append('<polyline fill="none" stroke="#000" stroke-width="1.5" points="'
               + " ".join(f"{px:.1f},{yr(v):.1f}" for px, v in pts) + '"/>')
    out.append(f'<text x="{w - pad + 4}" y="{yr(run) + 4:.1f}">{run:+.0f} Wh</text>')
    out.append(f'<text x="{pad}" y="{h - 32}" fill="#555">bars: each phase (dark: high load, light: low load; red: the '
               f'first run cycled more) · line: running total, own scale</text>')
    for t in range(0, n + 1, max(1, (n // 10 // 60) * 60 or 60)):
        out.append(f'<text x="{x(t):.1f}" y="{h - 15}" text-anchor="middle">{t} s</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # the reader (head, less) had enough
        sys.stderr.close()
        sys.exit(0)
