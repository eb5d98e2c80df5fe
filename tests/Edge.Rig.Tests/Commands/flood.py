#!/usr/bin/env python3
"""Floods Edge's command topics from one account with paho (an independent MQTT peer).

flood.py HOST PORT USER PASSWORD TOPIC_PREFIX RATE_PER_S COUNT [QOS]
  TOPIC_PREFIX e.g. edge/site1/edge1/cmd/mallory/ ; RATE_PER_S 0 = as fast as possible.
Cycles through hostile traffic: an unknown command, a retained command, junk JSON, a well-formed but expired command
with a fresh id. Prints "sent N in S s (R/s)" at the end; exits 1 when the connection fails.
"""
import datetime
import sys
import time

import paho.mqtt.client as mqtt

host, port, user, password, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rate, count = float(sys.argv[6]), int(sys.argv[7])
qos = int(sys.argv[8]) if len(sys.argv) > 8 else 1

client = mqtt.Client(client_id=user, clean_session=True)
client.username_pw_set(user, password)
client.max_inflight_messages_set(100)
client.max_queued_messages_set(0)
client.connect(host, port, keepalive=30)
client.loop_start()
deadline = time.monotonic() + 10
while not client.is_connected():
    if time.monotonic() > deadline:
        print("flood: could not connect", file=sys.stderr)
        sys.exit(1)
    time.sleep(0.01)

# Expired a minute ago: the flood's well-formed commands are refused, not applied (mallory may command within its rate).
expires = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
start = time.monotonic()
last = None
for i in range(count):
    kind = i % 4
    if kind == 0:
        last = client.publish(prefix + "reboot", "{}", qos=qos)
    elif kind == 1:
        last = client.publish(prefix + "mode", '{"id":"r%d","expires_at":"%s","mode":"standby"}' % (i, expires), qos=qos, retain=True)
    elif kind == 2:
        last = client.publish(prefix + "limits", "junk %d" % i, qos=qos)
    else:
        last = client.publish(prefix + "mode", '{"id":"f%d","expires_at":"%s","mode":"standby"}' % (i, expires), qos=qos)
    if rate > 0:
        ahead = start + (i + 1) / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
if last is not None:
    last.wait_for_publish()
elapsed = time.monotonic() - start
# Leave no retained command behind.
client.publish(prefix + "mode", b"", qos=1, retain=True).wait_for_publish()
client.disconnect()
client.loop_stop()
print("sent %d in %.2f s (%.0f/s)" % (count, elapsed, count / elapsed))
