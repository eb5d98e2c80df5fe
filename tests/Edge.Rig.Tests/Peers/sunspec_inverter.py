#!/usr/bin/python3
"""A third-party SunSpec battery inverter for Edge's hardware-in-the-loop suite, written with pymodbus (not Edge code).

The register map is built from the published SunSpec model JSON (models 1, 701, 704, 713, 802 in --models DIR):
"SunS" at protocol address 40000, the models in that order, then the end marker. Behaviour as SunSpec 704 defines it:
  * WSetEna/WSetMod/WSet (W, positive = discharge) command active power;
  * WRmp (% of WMax per second, WRmpRef = 1) limits INCREASES of active power only — a move towards 0 W is not ramped;
  * every write of WSetEna/WSet restarts the reversion timer WSetRvrtTms (s); when it expires without a new write, the
    device reverts: WSetEnaRvrt = 1 → it goes to WSetRvrt (enabled), else the setpoint function is disabled → 0 W;
  * the power stage answers after --latency-ms with a first-order lag of --tau-ms, within rated power and SoC limits;
  * 802 Hb counts seconds, CtrlHb is the controller's register; 713/802 report SoC and ratings.
Once a --log-ms period it prints its own AC power (the 701 W it serves) as "t=MONOTONIC_S w=W sp=SETPOINT_W en=0|1
rvrt=WSETRVRT_W reverts=N writes=N" on stdout. Prints "ready PORT" once listening. Stops on SIGTERM/SIGINT only: it
is meant to outlive the controllers that command it. SIGUSR1 toggles a fault: while it is on, every write is refused
with an exception response (reads still answer), and "refusing writes=1|0" is printed when it toggles.

Usage: sunspec_inverter.py --port P --models DIR [--power-w 2000] [--energy-wh 5000] [--soc-pct 60] [--latency-ms 20]
       [--tau-ms 50] [--ramp-pct-per-s 100] [--log-ms 50]
"""
import argparse
import asyncio
import json
import logging
import math
import os
import signal
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

logging.basicConfig(level=logging.CRITICAL)
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

BASE = 40000
CHAIN = (1, 701, 704, 713, 802)
NOT_IMPLEMENTED = {"int16": 0x8000, "sunssf": 0x8000, "uint16": 0xFFFF, "enum16": 0xFFFF, "bitfield16": 0xFFFF,
                   "count": 0xFFFF, "raw16": 0xFFFF}


def group_points(group, prefix=""):
    """Flattens a model group into (name, point) in register order; repeated groups get an index."""
    out = []
    for p in group.get("points", []):
        out.append((prefix + p["name"], p))
    for g in group.get("groups", []):
        for i in range(int(g.get("count", 1)) if isinstance(g.get("count", 1), int) else 1):
            out.extend(group_points(g, f"{prefix}{g['name']}[{i}]."))
    return out


class Image:
    """The register image and where every point lives."""

    def __init__(self, models_dir):
        self.regs = [0x5375, 0x6E53]
        self.where = {}  # (model, name) -> (index, size, type, sf name)
        for mid in CHAIN:
            with open(os.path.join(models_dir, f"model_{mid}.json"), encoding="utf-8") as f:
                d = json.load(f)
            points = group_points(d["group"])
            start = len(self.regs)
            for name, p in points:
                size = int(p.get("size", 1))
                t = p["type"]
                index = len(self.regs)
                self.where[(mid, name)] = (index, size, t, p.get("sf"))
                if size == 1:
                    self.regs.append(NOT_IMPLEMENTED.get(t, 0))
                elif t in ("int32",):
                    self.regs.extend([0x8000, 0])
                elif t in ("uint32", "bitfield32", "enum32"):
                    self.regs.extend([0xFFFF, 0xFFFF])
                else:
                    self.regs.extend([0] * size)  # strings, pads, accumulators
            self.regs[start] = mid
            self.regs[start + 1] = len(self.regs) - start - 2
        self.regs.extend([0xFFFF, 0])

    def addr(self, mid, name):
        return BASE + self.where[(mid, name)][0]

    def set(self, mid, name, value):
        index, size, t, _ = self.where[(mid, name)]
        v = 0 if t == "string" else int(round(value))
        if t == "string":
            raw = str(value).encode("ascii")[: size * 2].ljust(size * 2, b"\0")
            self.regs[index:index + size] = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, size * 2, 2)]
        elif size == 1:
            self.regs[index] = v & 0xFFFF
        elif size == 2:
            v &= 0xFFFFFFFF
            self.regs[index:index + 2] = [v >> 16, v & 0xFFFF]
        else:
            v &= (1 << (16 * size)) - 1
            self.regs[index:index + size] = [(v >> (16 * (size - 1 - i))) & 0xFFFF for i in range(size)]

    def get(self, mid, name, signed=False):
        index, size, t, _ = self.where[(mid, name)]
        v = 0
        for r in self.regs[index:index + size]:
            v = (v << 16) | r
        if signed or t in ("int16", "int32", "sunssf"):
            bits = 16 * size
            if v >= 1 << (bits - 1):
                v -= 1 << bits
        return v


class Block(ModbusSequentialDataBlock):
    """Holding registers from 40000 whose writes act on the device at once."""

    def __init__(self, device):
        super().__init__(BASE, device.image.regs)
        self.device = device

    def setValues(self, address, values):
        super().setValues(address, values)
        values = values if isinstance(values, list) else [values]
        self.device.written(address, len(values))


class Slave(ModbusSlaveContext):
    """The slave context, with writes refused (an exception response) while the SIGUSR1 fault is on."""

    refusing = False

    def validate(self, fc_as_hex, address, count=1):
        if self.refusing and fc_as_hex in (6, 16):
            return False
        return super().validate(fc_as_hex, address, count)


class Device:
    def __init__(self, a):
        self.a = a
        self.image = Image(a.models)
        self.rated_w = a.power_w
        self.energy_wh = a.energy_wh
        self.soc = a.soc_pct
        self.power_w = 0.0
        self.reference_w = 0.0
        self.delay = []  # (time, reference)
        self.revert_left_s = 0.0
        self.reverts = 0
        self.writes = 0
        self.hb_s = 0.0
        self.slow = -1
        im = self.image
        im.set(1, "Mn", "EdgeTests")
        im.set(1, "Md", "pymodbus sunspec_inverter.py")
        im.set(1, "Vr", "1")
        im.set(1, "SN", f"PY{a.port}")
        im.set(1, "DA", 1)
        for name, v in (("W_SF", 0), ("VA_SF", 0), ("A_SF", -2), ("V_SF", -1), ("Hz_SF", -2), ("TotWh_SF", 0), ("PF_SF", -2), ("Var_SF", 0),
                        ("ACType", 1), ("St", 1), ("InvSt", 1), ("ConnSt", 1), ("Alrm", 0), ("LNV", 2300), ("Hz", 5000)):
            im.set(701, name, v)
        for name, v in (("WSet_SF", 0), ("WSetPct_SF", -2), ("WMaxLimPct_SF", 0), ("WSetEna", 0), ("WSetMod", 1), ("WSet", 0),
                        ("WSetRvrt", 0), ("WSetEnaRvrt", 0), ("WSetRvrtTms", 0), ("WSetRvrtRem", 0), ("WRmp", a.ramp_pct_per_s), ("WRmpRef", 1)):
            im.set(704, name, v)
        for name, v in (("WH_SF", 0), ("Pct_SF", -1), ("WHRtg", self.energy_wh), ("SoH", 1000), ("Sta", 1)):
            im.set(713, name, v)
        for name, v in (("WHRtg_SF", 0), ("WChaDisChaMax_SF", 0), ("SoC_SF", -1), ("DoD_SF", -1), ("SoH_SF", 0), ("W_SF", 0), ("A_SF", -2), ("V_SF", -1),
                        ("WHRtg", self.energy_wh), ("WChaRteMax", self.rated_w), ("WDisChaRteMax", self.rated_w), ("SoCMax", 1000), ("SoCMin", 0),
                        ("SoH", 100), ("ChaSt", 4), ("LocRemCtl", 0), ("Hb", 0), ("CtrlHb", 0), ("AlmRst", 0), ("Typ", 4), ("State", 3),
                        ("Evt1", 0), ("Evt2", 0), ("V", 500)):
            im.set(802, name, v)
        self.block = Block(self)
        self.control = [im.addr(704, n) for n in ("WSetEna", "WSetMod")] + [im.addr(704, "WSet"), im.addr(704, "WSet") + 1]
        self.refresh()

    def written(self, address, count):
        touched = set(range(address, address + count))
        regs = self.block.values
        self.image.regs = regs  # the block owns the list
        if touched & set(self.control):
            self.writes += 1
            self.revert_left_s = self.image.get(704, "WSetRvrtTms")  # every control write restarts the timer
        if touched & {self.image.addr(704, "WSetRvrtTms"), self.image.addr(704, "WSetRvrtTms") + 1}:
            self.revert_left_s = self.image.get(704, "WSetRvrtTms")
        if self.image.addr(802, "AlmRst") in touched:
            self.image.set(802, "AlmRst", 0)

    def setpoint(self):
        im = self.image
        if im.get(704, "WSetEna") != 1:
            return 0.0
        return max(-self.rated_w, min(self.rated_w, float(im.get(704, "WSet", signed=True))))

    def step(self, dt):
        im = self.image
        if self.revert_left_s > 0:
            self.revert_left_s -= dt
            if self.revert_left_s <= 0:
                self.revert_left_s = 0
                self.reverts += 1
                if im.get(704, "WSetEnaRvrt") == 1:
                    im.set(704, "WSet", im.get(704, "WSetRvrt", signed=True))
                    im.set(704, "WSetEna", 1)
                else:
                    im.set(704, "WSetEna", 0)
        target = self.setpoint()
        if self.soc <= 0 and target > 0 or self.soc >= 100 and target < 0:
            target = 0.0
        rise = im.get(704, "WRmp") * 0.01 * self.rated_w * dt
        ref = self.reference_w
        if ref >= 0 and target >= 0:
            ref = target if target <= ref else min(target, ref + rise)
        elif ref <= 0 and target <= 0:
            ref = target if target >= ref else max(target, ref - rise)
        else:
            ref = max(-rise, min(rise, target))  # a reversal falls to 0 W at once, then rises at the ramp
        self.reference_w = ref
        now = time.monotonic()
        self.delay.append((now, ref))
        delayed = self.delay[0][1]
        while self.delay and now - self.delay[0][0] >= self.a.latency_ms / 1000:
            delayed = self.delay.pop(0)[1]
        tau = self.a.tau_ms / 1000
        self.power_w += (delayed - self.power_w) * (1 - math.exp(-dt / tau)) if tau > 0 else delayed - self.power_w
        self.soc = max(0.0, min(100.0, self.soc - self.power_w * dt / 3600 / self.energy_wh * 100))
        self.hb_s += dt
        if self.hb_s >= 1:
            self.hb_s -= 1
            im.set(802, "Hb", (im.get(802, "Hb") + 1) & 0xFFFF)
        self.refresh()

    def refresh(self):
        im = self.image
        w = self.power_w
        im.set(701, "W", w)
        im.set(802, "W", w)
        im.set(704, "WSetRvrtRem", math.ceil(self.revert_left_s))
        self.slow += 1
        if self.slow % 10 == 0:  # slowly changing points: 10 Hz is plenty
            im.set(701, "VA", abs(w))
            im.set(701, "A", abs(w) / 230 * 100)
            im.set(713, "SoC", self.soc * 10)
            im.set(713, "WHAvail", self.energy_wh * self.soc / 100)
            im.set(802, "SoC", self.soc * 10)
            im.set(802, "DoD", (100 - self.soc) * 10)
            im.set(802, "ChaSt", 2 if self.soc <= 0 else 5 if self.soc >= 100 else 4)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--power-w", type=float, default=2000)
    ap.add_argument("--energy-wh", type=float, default=5000)
    ap.add_argument("--soc-pct", type=float, default=60)
    ap.add_argument("--latency-ms", type=float, default=20)
    ap.add_argument("--tau-ms", type=float, default=50)
    ap.add_argument("--ramp-pct-per-s", type=float, default=100)
    ap.add_argument("--log-ms", type=float, default=50)
    a = ap.parse_args()
    device = Device(a)
    store = Slave(hr=device.block, zero_mode=True)
    context = ModbusServerContext(slaves=store, single=True)

    async def physics():
        dt = 0.01
        last = time.monotonic()
        next_log = last
        while True:
            await asyncio.sleep(dt)
            now = time.monotonic()
            device.step(now - last)
            last = now
            if now >= next_log:
                next_log = now + a.log_ms / 1000
                im = device.image
                print(f"t={now:.4f} w={device.power_w:.1f} sp={device.setpoint():.0f} en={im.get(704, 'WSetEna')} "
                      f"rvrt={im.get(704, 'WSetRvrt', signed=True)} reverts={device.reverts} writes={device.writes}", flush=True)

    async def run():
        server = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", a.port)))
        for _ in range(500):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", a.port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.01)
        else:
            print("failed to listen", flush=True)
            sys.exit(1)
        print(f"ready {a.port}", flush=True)
        sim = asyncio.create_task(physics())
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

        def toggle_refusing():
            store.refusing = not store.refusing
            print(f"refusing writes={int(store.refusing)}", flush=True)

        loop.add_signal_handler(signal.SIGUSR1, toggle_refusing)
        await stop
        sim.cancel()
        server.cancel()

    asyncio.run(run())


if __name__ == "__main__":
    main()
