// Line health from the inventory and the live stream: a line is an
// EtherCAT master with its slaves, or a PROFINET controller with the
// devices it exchanges cyclic data with.  Rates come from the difference
// of live counters over a sliding window, never from totals since start.

const WINDOW_MS = 10000;

// Counters over time -> per-second rates over the last WINDOW_MS.
export class Rates {
  constructor() { this.snaps = []; }
  // snap: { ts: ms, v: Map(key -> counter) }
  push(ts, v) {
    this.snaps.push({ ts, v });
    while (this.snaps.length > 2 && ts - this.snaps[1].ts >= WINDOW_MS) this.snaps.shift();
  }
  ready() { return this.snaps.length >= 2 && this.snaps[this.snaps.length - 1].ts > this.snaps[0].ts; }
  // per second; undefined until two snapshots (or a key is new)
  rate(key) {
    if (!this.ready()) return undefined;
    const a = this.snaps[0], b = this.snaps[this.snaps.length - 1];
    const x = a.v.get(key), y = b.v.get(key);
    if (x === undefined || y === undefined) return undefined;
    return Math.max(0, y - x) / ((b.ts - a.ts) / 1000);
  }
}

// devices, links: the API's arrays; online: Map(id -> bool) from the live
// stream (overrides the list).  Returns one object per line.
export function buildLines(devices, links, online) {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const on = (d) => (online.has(d.id) ? online.get(d.id) : d.online);
  const lines = [];
  for (const head of devices) {
    if (head.kind !== 'ecat-master' && head.kind !== 'pn-controller') continue;
    let members;
    const lk = links.filter((l) => l.src === head.id || l.dst === head.id);
    if (head.kind === 'ecat-master') members = devices.filter((d) => d.parent === head.id);
    else {
      const ids = new Set(lk.map((l) => (l.src === head.id ? l.dst : l.src)).filter((x) => x && x !== head.id));
      members = [...ids].map((x) => byId.get(x)).filter(Boolean);
    }
    lines.push({ head, members, links: lk, headOnline: on(head), offline: members.filter((d) => !on(d)) });
  }
  return lines;
}

// healthy / degraded / failed, and why (keys and numbers for the UI)
export function verdict(line, r) {
  const why = [];
  let level = 0;
  const worse = (n) => { level = Math.max(level, n); };
  if (!line.headOnline) { why.push({ k: 'head_offline' }); worse(2); }
  if (line.members.length && line.offline.length === line.members.length) { why.push({ k: 'all_offline', n: line.members.length }); worse(2); }
  else if (line.offline.length) { why.push({ k: 'some_offline', n: line.offline.length, of: line.members.length }); worse(1); }
  if (r.fps !== undefined && r.fps === 0 && line.headOnline) { why.push({ k: 'no_frames' }); worse(2); }
  if (r.lost) { why.push({ k: 'lost', n: r.lost }); worse(1); }
  if (r.errors) { why.push({ k: 'errors', n: r.errors }); worse(1); }
  return { level: ['healthy', 'degraded', 'failed'][level], why };
}
