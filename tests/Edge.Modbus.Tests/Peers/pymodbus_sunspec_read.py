#!/usr/bin/python3
"""Reads a SunSpec device with pymodbus' client: finds "SunS" at 40000/0/50000, walks the model chain, and prints
one line per model ("model ID at ADDRESS length L"), then the common model's manufacturer and, when present, the
701 W point raw value. Used by Edge's tests to show that a third-party client can read the simulated inverter.

Usage: pymodbus_sunspec_read.py PORT
"""
import sys

from pymodbus.client import ModbusTcpClient


def main() -> int:
    port = int(sys.argv[1])
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
    if not client.connect():
        print("cannot connect", flush=True)
        return 1
    base = None
    for candidate in (40000, 0, 50000):
        rr = client.read_holding_registers(candidate, 2, slave=1)
        if not rr.isError() and rr.registers == [0x5375, 0x6E53]:
            base = candidate
            break
    if base is None:
        print("no SunS marker", flush=True)
        return 1
    print(f"SunS at {base}")
    address = base + 2
    models = {}
    while True:
        rr = client.read_holding_registers(address, 2, slave=1)
        if rr.isError():
            print(f"error at {address}: {rr}")
            return 1
        model_id, length = rr.registers
        if model_id == 0xFFFF:
            print("end")
            break
        print(f"model {model_id} at {address} length {length}")
        models[model_id] = address
        address += 2 + length
    if 1 in models:
        rr = client.read_holding_registers(models[1] + 2, 16, slave=1)
        text = b"".join(r.to_bytes(2, "big") for r in rr.registers).rstrip(b"\0").decode("ascii")
        print(f"Mn {text}")
    if 701 in models:
        rr = client.read_holding_registers(models[701] + 10, 1, slave=1)
        print(f"W raw {rr.registers[0]}")
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
