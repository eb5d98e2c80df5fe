#!/usr/bin/env node
// Test peer: Eclipse Tahu's own Sparkplug B payload codec (npm sparkplug-payload) reads what Edge publishes.
//
//   node tahu_peer.js subscribe --port P [--host 127.0.0.1] [--timeout S]
//       runs mosquitto_sub on spBv1.0/# (QoS 1, payload as hex) and prints one JSON line per message:
//       {"topic","kind","device","qos","retain","has_seq","seq","timestamp","metrics":[{name,alias,type,value,timestamp,is_null}]}
//       (STATE messages: {"topic","kind":"STATE","qos","retain","state":<the JSON payload>}); "#subscribed" once the
//       subscription is acknowledged; {"error":…} for a payload Tahu cannot decode.
//   node tahu_peer.js rebirth --out FILE
//       writes an NCMD payload {"Node Control/Rebirth": true}, encoded by Tahu, to FILE.

'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const sparkplug = require('sparkplug-payload').get('spBv1.0');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// Longs (protobufjs Long objects) become plain numbers: every value Edge publishes fits in 2^53.
function plain(v) {
  if (v !== null && typeof v === 'object' && typeof v.low === 'number' && typeof v.high === 'number') {
    return Number(v.toString());
  }
  return v;
}

function decodeLine(line) {
  // mosquitto_sub -F '%t %q %r %x': topic, qos, retain flag, payload in hex.
  const parts = line.split(' ');
  if (parts.length < 3) {
    return { error: 'unexpected line: ' + line };
  }
  const [topic, qos, retain] = parts;
  const hex = parts.length > 3 ? parts[3] : '';
  const levels = topic.split('/');
  const out = { topic, kind: levels[1] === 'STATE' ? 'STATE' : levels[2], device: levels[4] ?? null, qos: Number(qos), retain: retain === '1' };
  const bytes = Buffer.from(hex, 'hex');
  if (out.kind === 'STATE') {
    try {
      out.state = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      out.state = bytes.toString('utf8');
    }
    return out;
  }
  let p;
  try {
    p = sparkplug.decodePayload(bytes);
  } catch (e) {
    return { topic, error: String(e) };
  }
  out.has_seq = p.seq !== undefined;
  out.seq = p.seq === undefined ? null : plain(p.seq);
  out.timestamp = p.timestamp === undefined ? null : plain(p.timestamp);
  out.metrics = (p.metrics || []).map(m => ({
    name: m.name === undefined ? null : m.name,
    alias: m.alias === undefined ? null : plain(m.alias),
    type: m.type === undefined ? null : m.type,
    value: m.value === undefined ? null : plain(m.value),
    is_null: m.value === null,
    timestamp: m.timestamp === undefined ? null : plain(m.timestamp),
  }));
  return out;
}

function subscribe() {
  const host = arg('host', '127.0.0.1');
  const port = arg('port');
  const timeout = arg('timeout', '120');
  // stdbuf: mosquitto_sub's debug lines (the SUBACK) are otherwise held in its stdout buffer until a message arrives.
  const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', '-h', host, '-p', port, '-q', '1', '-t', 'spBv1.0/#', '-F', '%t %q %r %x', '-W', timeout],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => { sub.kill('SIGTERM'); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  sub.on('exit', code => process.exit(code === null ? 1 : code));
  let rest = '';
  sub.stdout.on('data', chunk => {
    rest += chunk.toString('latin1');
    let n;
    while ((n = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, n);
      rest = rest.slice(n + 1);
      if (line.startsWith('Subscribed (mid')) {
        process.stdout.write('#subscribed\n');
      } else if (line.startsWith('spBv1.0/')) {
        process.stdout.write(JSON.stringify(decodeLine(line)) + '\n');
      }
      // other lines are mosquitto_sub's debug output (-d), which is how the SUBACK shows
    }
  });
}

function rebirth() {
  const bytes = sparkplug.encodePayload({
    timestamp: Date.now(),
    metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
  });
  fs.writeFileSync(arg('out'), bytes);
}

switch (process.argv[2]) {
  case 'subscribe': subscribe(); break;
  case 'rebirth': rebirth(); break;
  default:
    process.stderr.write('usage: tahu_peer.js subscribe --port P | rebirth --out FILE\n');
    process.exit(2);
}
