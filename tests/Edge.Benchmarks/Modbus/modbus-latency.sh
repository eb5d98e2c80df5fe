#!/usr/bin/env bash
# Setpoint write round-trip latency on loopback: our simulated inverter vs a pymodbus server, same run (ratio).
#   tests/Edge.Benchmarks/Modbus/modbus-latency.sh [--writes 20000] [--json OUT.json]
set -euo pipefail
cd "$(dirname "$0")/../../.."
dotnet run -c Release --project tests/Edge.Benchmarks -- modbus-latency "$@"
