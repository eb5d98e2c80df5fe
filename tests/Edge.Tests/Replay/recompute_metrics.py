#!/usr/bin/env python3
"""Recomputes edge replay's ramp and band metrics from its --series CSV, independently of Edge's code.

    recompute_metrics.py SERIES.csv REPLAY.json  ->  prints {"<controller>": {...metrics...}, ...} as JSON

The definitions are DESIGN §5 as docs/replay.md states them, implemented the plain way:
- ramp: every pair (i, j) with 1 <= j - i <= w (w = floor(ramp_window_s / period)) is tested, lag by lag; a violating
  pair makes every period k with j <= k <= i + w violate (k's closed trailing window [k - w, k] holds it);
- band: scipy.signal.welch with a Hann window, nperseg = nfft = 100 s of samples (or the whole series), noverlap =
  nperseg // 2, detrend='constant', density scaling; in-band = bins whose centre f has low <= f <= high.
Only the limits and the period are taken from REPLAY.json (the replay's inputs), never its results.
"""
import csv
import json
import math
import sys

import numpy as np
from scipy.signal import welch


def ramp(g, period_s, window_s, up, down, dynamic_range):
    n = len(g)
    w = max(1, int(math.floor(window_s / period_s + 1e-9)))
    rise_allowed = (up * window_s + dynamic_range) * 1.001
    fall_allowed = (down * window_s + dynamic_range) * 1.001
    cover = np.zeros(n + 1, dtype=np.int64)
    max_rise = 0.0
    max_fall = 0.0
    for d in range(1, min(w, n - 1) + 1):
        diff = g[d:] - g[:-d]  # pair (i, i + d), i = 0 .. n - d - 1
        max_rise = max(max_rise, float(diff.max()))
        max_fall = max(max_fall, float((-diff).max()))
        i = np.nonzero((diff > rise_allowed) | (-diff > fall_allowed))[0]
        if i.size:
            np.add.at(cover, i + d, 1)
            np.add.at(cover, np.minimum(i + w + 1, n), -1)
    violating = int(np.count_nonzero(np.cumsum(cover[:n]) > 0))
    return {
        "ramp_violation_s": violating * period_s,
        "max_rise_w_per_s": max_rise / window_s,
        "max_fall_w_per_s": max_fall / window_s,
    }


def band_power(x, fs, nperseg, low, high):
    f, p = welch(x, fs=fs, window="hann", nperseg=nperseg, noverlap=nperseg // 2, nfft=nperseg,
                 detrend="constant", scaling="density", average="mean")
    in_band = (f >= low) & (f <= high)
    return float(p[in_band].sum() * (f[1] - f[0]))


def main():
    series_path, json_path = sys.argv[1], sys.argv[2]
    with open(json_path) as fh:
        replay = json.load(fh)
    limits = replay["limits"]
    period_s = replay["trace"]["period_ms"] * 1e-3
    fs = 1.0 / period_s
    native = replay["trace"]["native_sample_rate_hz"]
    low = limits["band_low_hz"]
    high = min(limits["band_high_hz"], native / 2, fs / 2)

    load = {}
    grid = {}
    with open(series_path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        assert header == ["time_s", "controller", "load_w", "grid_w", "grid_target_w", "battery_w", "soc_pct"], header
        for row in reader:
            c = row[1]
            load.setdefault(c, []).append(float(row[2]))
            grid.setdefault(c, []).append(float(row[3]))

    out = {}
    for c in grid:
        g = np.array(grid[c])
        x = np.array(load[c])
        n = len(g)
        nperseg = min(int(round(100.0 / period_s)), n)
        m = ramp(g, period_s, limits["ramp_window_s"], limits["ramp_up_w_per_s"], limits["ramp_down_w_per_s"],
                 limits["dynamic_range_w"])
        load_band = band_power(x, fs, nperseg, low, high)
        grid_band = band_power(g, fs, nperseg, low, high)
        m["band_energy_ratio"] = grid_band / load_band if load_band > 0 else None
        m["band_high_hz"] = high
        m["periods"] = n
        out[c] = m
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
