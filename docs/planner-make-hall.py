#!/usr/bin/env python3
"""A multi-job hall for docs/planner.md: three concurrent training jobs with different iteration periods, each with its
own start, checkpoints and end, plus noise. 1 h at 0.1 s, CSV time_s,power_w on stdout. Deterministic (seed 16).
With --announce: instead, every job start, end and checkpoint as edge replay --announce JSON lines, received 60 s
ahead (the mean power change of the compute/communication mix is announced).
With --seed N (a whole number): another hall, also deterministic — 2 to 4 jobs of random size, period, duty, start,
end and checkpoint rhythm drawn from N (the hall above is not one of them); the jobs are listed on standard error.
Usage: planner-make-hall.py [--seed N] [--announce]"""
import math, random, sys
USAGE = "usage: planner-make-hall.py [--seed N] [--announce]"
args = sys.argv[1:]
seed = None
announce = False
while args:
    a = args.pop(0)
    if a == "--announce":
        announce = True
    elif a == "--seed":
        if not args or not args[0].isdigit():
            print(f"planner-make-hall.py: --seed needs a whole number\n{USAGE}", file=sys.stderr)
            sys.exit(2)
        seed = int(args.pop(0))
    else:
        print(f"planner-make-hall.py: unknown argument {a!r}\n{USAGE}", file=sys.stderr)
        sys.exit(2)
random.seed(16 if seed is None else seed)
DT, T = 0.1, 3600.0
# (peak W, iteration period s, comm duty, dip fraction, start s, end s, checkpoint every s, checkpoint s)
JOBS = [(400e3, 2.3, 0.30, 0.25, 60, 3300, 300, 25),
        (300e3, 5.1, 0.35, 0.20, 400, 3500, 420, 40),
        (250e3, 8.7, 0.25, 0.30, 900, 2900, 360, 30)]
if seed is not None:
    draw = random.Random(seed)
    JOBS = []
    for _ in range(draw.randint(2, 4)):
        start = draw.uniform(30, 1500)
        end = draw.uniform(start + 600, T - 40)
        JOBS.append((draw.uniform(150e3, 450e3), draw.uniform(1.5, 12), draw.uniform(0.2, 0.4), draw.uniform(0.15, 0.35),
                     start, end, draw.uniform(240, 600), draw.uniform(20, 45)))
    for peak, per, duty, dip, start, end, ck_every, ck_s in JOBS:
        print(f"job: peak {peak / 1e3:.0f} kW, period {per:.1f} s, {start:.0f}–{end:.0f} s, checkpoint {ck_s:.0f} s every {ck_every:.0f} s",
              file=sys.stderr)
IDLE = 120e3
if announce:
    import json
    for j, (peak, per, duty, dip, start, end, ck_every, ck_s) in enumerate(JOBS):
        mean = peak * ((1 - duty) * 0.95 + duty * dip)
        ev = [(f"job{j}:start", "job_start", start + 15, mean, None)]   # fully up after its 15 s ramp
        t = start + ck_every - ck_s
        c = 0
        while t < end:
            ev.append((f"job{j}:ckpt{c}", "checkpoint_begin", t, mean - 0.25 * peak, ck_s))
            t += ck_every
            c += 1
        ev.append((f"job{j}:end", "job_end", end, mean, None))
        for id_, kind, at, power, dur in ev:
            rec = {"id": id_, "kind": kind, "in_s": 60, "power_w": round(power), "received_s": max(0.0, at - 60)}
            if at - 60 < 0:
                rec["in_s"] = at
            if dur is not None:
                rec["duration_s"] = dur
            print(json.dumps(rec))
    sys.exit(0)
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
