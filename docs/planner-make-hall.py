#!/usr/bin/env python3
"""A multi-job hall for docs/planner.md: three concurrent training jobs with different iteration periods, each with its
own start, checkpoints and end, plus noise. 1 h at 0.1 s, CSV time_s,power_w on stdout. Deterministic (seed 16)."""
import math, random, sys
random.seed(16)
DT, T = 0.1, 3600.0
# (peak W, iteration period s, comm duty, dip fraction, start s, end s, checkpoint every s, checkpoint s)
JOBS = [(400e3, 2.3, 0.30, 0.25, 60, 3300, 300, 25),
        (300e3, 5.1, 0.35, 0.20, 400, 3500, 420, 40),
        (250e3, 8.7, 0.25, 0.30, 900, 2900, 360, 30)]
IDLE = 120e3
print("time_s,power_w")
n = int(T / DT)
for i in range(n + 1):
    t = i * DT
    p = IDLE
    for peak, per, duty, dip, start, end, ck_every, ck_s in JOBS:
        if t < start or t >= end:
            continue
        since = t - start
        ramp = min(1.0, since / 15.0)
        in_ckpt = since % ck_every >= ck_every - ck_s
        if in_ckpt:
            level = 0.25
        else:
            level = dip if (since % per) / per >= 1 - duty else 0.95
        p += ramp * level * peak
    p += random.gauss(0, 3e3)
    print(f"{t:.1f},{p:.0f}")
