#!/usr/bin/python3
"""Polls SunSpec inverters' own AC power (model 701 W × 10^W_SF) with pymodbus' client — an independent reader of
what the batteries really deliver, for Edge's hardware-in-the-loop suite.

Usage: sunspec_poll.py PERIOD_MS HOST:PORT [HOST:PORT …]
Walks each device's model chain from "SunS" at 40000 once, then prints one line per poll:
"t=MONOTONIC_S w=W1,W2,… dt=S" (a device that does not answer prints nan; dt is how long the poll's reads took from the
first request to the last answer, so a reader can tell a simultaneous reading of all devices from one that a slow device
stretched). Runs until SIGTERM or stdin closes.
"""
import math
import select
import sys
import time

import logging

from pymodbus.client import ModbusTcpClient

logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


def find_701(client):
    rr = client.read_holding_registers(40000, 2, slave=1)
    if rr.isError() or rr.registers != [0x5375, 0x6E53]:
        raise RuntimeError("no SunS marker at 40000")
    address = 40002
    while True:
        rr = client.read_holding_registers(address, 2, slave=1)
        model, length = rr.registers
        if model == 0xFFFF:
            raise RuntimeError("no model 701")
        if model == 701:
            return address
        address += 2 + length


def signed(v):
    return v - 0x10000 if v >= 0x8000 else v


def main():
    period = float(sys.argv[1]) / 1000
    devices = []
    for ep in sys.argv[2:]:
        host, port = ep.rsplit(":", 1)
        c = ModbusTcpClient(host, port=int(port), timeout=1)
        deadline = time.monotonic() + 10
        while not c.connect():
            if time.monotonic() > deadline:
                print(f"cannot connect to {ep}", flush=True)
                return 1
            time.sleep(0.1)
        m = find_701(c)
        # Published model 701 (ID and L counted): W at offset 10, W_SF at offset 116.
        rr = c.read_holding_registers(m + 116, 1, slave=1)
        scale = 10.0 ** signed(rr.registers[0])
        devices.append((c, m, scale))
    print("polling", flush=True)
    next_t = time.monotonic()
    while True:
        r, _, _ = select.select([sys.stdin], [], [], 0)
        if r and not sys.stdin.readline():
            return 0
        values = []
        started = time.monotonic()
        for c, m, scale in devices:
            try:
                rr = c.read_holding_registers(m + 10, 1, slave=1)
                values.append(signed(rr.registers[0]) * scale if not rr.isError() else math.nan)
            except Exception:  # a device that died: keep polling the others
                values.append(math.nan)
        now = time.monotonic()
        print(f"t={now:.4f} w={','.join(f'{v:.1f}' for v in values)} dt={now - started:.4f}", flush=True)
        next_t += period
        time.sleep(max(0.0, next_t - time.monotonic()))


if __name__ == "__main__":
    sys.exit(main())
