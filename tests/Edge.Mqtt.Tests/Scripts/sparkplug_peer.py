#!/usr/bin/python3
"""Independent Sparkplug B peer for Edge's tests: Debian's protoc-generated sparkplug_b_pb2 + python3-protobuf + paho.

  sparkplug_peer.py subscribe --port P --proto-dir D [--timeout S]
      prints one JSON line per message on spBv1.0/#: topic, qos, retain, has_seq, seq, timestamp and the metrics
      (name/alias/datatype only when present on the wire, value from the oneof), and "#subscribed" once subscribed.
  sparkplug_peer.py rebirth --port P --proto-dir D --topic T
      publishes an NCMD with "Node Control/Rebirth" = true (Boolean, datatype 11).
"""
import argparse
import json
import sys
import time

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["subscribe", "rebirth"])
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--proto-dir", required=True)
parser.add_argument("--topic", default="spBv1.0/#")
parser.add_argument("--timeout", type=float, default=60)
args = parser.parse_args()
sys.path.insert(0, args.proto_dir)
import sparkplug_b_pb2  # noqa: E402


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def decode(msg):
    p = sparkplug_b_pb2.Payload()
    p.ParseFromString(msg.payload)
    metrics = []
    for m in p.metrics:
        which = m.WhichOneof("value")
        metrics.append({
            "name": m.name if m.HasField("name") else None,
            "alias": m.alias if m.HasField("alias") else None,
            "datatype": m.datatype if m.HasField("datatype") else None,
            "timestamp": m.timestamp if m.HasField("timestamp") else None,
            "is_null": m.is_null,
            "value": getattr(m, which) if which else None,
        })
    return {
        "topic": msg.topic,
        "qos": msg.qos,
        "retain": bool(msg.retain),
        "has_seq": p.HasField("seq"),
        "seq": p.seq if p.HasField("seq") else None,
        "timestamp": p.timestamp if p.HasField("timestamp") else None,
        "metrics": metrics,
    }


if args.mode == "rebirth":
    p = sparkplug_b_pb2.Payload()
    p.timestamp = int(time.time() * 1000)
    m = p.metrics.add()
    m.name = "Node Control/Rebirth"
    m.datatype = 11
    m.boolean_value = True
    client = mqtt.Client()
    client.connect(args.host, args.port)
    client.loop_start()
    info = client.publish(args.topic, p.SerializeToString(), qos=0)
    info.wait_for_publish()
    client.disconnect()
    client.loop_stop()
    sys.exit(0)


def on_connect(client, userdata, flags, rc):
    client.subscribe(args.topic, qos=1)


def on_subscribe(client, userdata, mid, granted):
    out("#subscribed")


def on_message(client, userdata, msg):
    try:
        out(json.dumps(decode(msg)))
    except Exception as e:  # a payload the schema cannot decode is a test failure, reported as such
        out(json.dumps({"topic": msg.topic, "error": str(e)}))


client = mqtt.Client()
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(args.host, args.port, keepalive=10)
client.loop_start()
time.sleep(args.timeout)
client.loop_stop()
