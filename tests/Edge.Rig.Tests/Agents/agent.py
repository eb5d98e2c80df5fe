#!/usr/bin/env python3
"""A node agent as paho (an independent MQTT peer) publishes it, per docs/agents.md, that then falls silent.

agent.py HOST PORT USER PASSWORD SITE TELEMETRY_S
  Connects as USER with its Will (status offline, retained), publishes status online and flexible-load capabilities
  (retained), telemetry at 10 Hz for TELEMETRY_S seconds, then prints "LAST <unix time of the last telemetry>" and
  keeps the connection open (no Will, no offline status: only the telemetry stops) until killed.
"""
import json
import sys
import time

import paho.mqtt.client as mqtt

host, port, user, password, site, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
root = f"edge/{site}/agents/{user}"
client = mqtt.Client(client_id=user, clean_session=True)
client.username_pw_set(user, password)
client.will_set(root + "/status", json.dumps({"state": "offline", "ts_ms": int(time.time() * 1000)}), qos=1, retain=True)
client.connect(host, port, keepalive=5)
client.loop_start()
deadline = time.monotonic() + 10
while not client.is_connected():
    if time.monotonic() > deadline:
        print("agent: could not connect", file=sys.stderr)
        sys.exit(1)
    time.sleep(0.01)

client.publish(root + "/status", json.dumps({"state": "online", "ts_ms": int(time.time() * 1000)}), qos=1, retain=True).wait_for_publish()
client.publish(root + "/capabilities", json.dumps({
    "kind": "flex", "min_w": 0, "max_w": 500, "response_ms": 2000, "knobs": ["level"], "telemetry_hz": 10,
    "release_w_per_s": 25, "release_jitter_s": 0, "level_step_pct": 5, "max_command_lifetime_s": 300}), qos=1, retain=True).wait_for_publish()
seq = 0
start = time.monotonic()
last = 0.0
while time.monotonic() - start < seconds:
    seq += 1
    last = time.time()
    client.publish(root + "/telemetry", json.dumps({"seq": seq, "ts_ms": int(last * 1000), "power_w": 400, "level_pct": 80, "state": "free"}), qos=0)
    time.sleep(0.1)

print(f"LAST {last:.3f}", flush=True)
time.sleep(60)
