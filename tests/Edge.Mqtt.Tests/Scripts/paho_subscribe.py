#!/usr/bin/python3
"""Independent MQTT subscriber for Edge's tests (paho-mqtt, Debian's python3-paho-mqtt).

Prints one JSON line per message to stdout: {"topic", "qos", "retain", "dup", "payload"} (payload as UTF-8 text),
and "#connected <session_present>" / "#subscribed" marker lines. Subscribes again on every (re)connection, so it keeps
receiving across broker restarts; with --persistent it uses a persistent session (clean_session=False).
Exits after --count messages or --timeout seconds.
"""
import argparse
import json
import sys
import time

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--topic", action="append", required=True)
parser.add_argument("--qos", type=int, default=1)
parser.add_argument("--count", type=int, default=0)
parser.add_argument("--timeout", type=float, default=30)
parser.add_argument("--client-id", default="")
parser.add_argument("--persistent", action="store_true")
args = parser.parse_args()

received = 0


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def on_connect(client, userdata, flags, rc):
    out("#connected %s %s" % (rc, flags.get("session present", 0)))
    if rc == 0:
        client.subscribe([(t, args.qos) for t in args.topic])


def on_subscribe(client, userdata, mid, granted):
    out("#subscribed %s" % (list(granted),))


def on_message(client, userdata, msg):
    global received
    received += 1
    try:
        text = msg.payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    out(json.dumps({"topic": msg.topic, "qos": msg.qos, "retain": bool(msg.retain), "dup": bool(msg.dup), "payload": text}))


client = mqtt.Client(client_id=args.client_id, clean_session=not args.persistent)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.reconnect_delay_set(min_delay=0.05, max_delay=0.5)
client.connect_async(args.host, args.port, keepalive=5)
client.loop_start()
deadline = time.time() + args.timeout
while time.time() < deadline and (args.count == 0 or received < args.count):
    time.sleep(0.01)
client.disconnect()
client.loop_stop()
