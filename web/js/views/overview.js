// The overview: a verdict per line with its reason, rates instead of
// totals since start, the capture sources (a stopped one says so), and
// every number a link to what is behind it.
import { get } from '../api.js';
import { h, table, devNameEl } from '../dom.js';
import { t } from '../i18n.js';
import { Rates, buildLines, verdict } from '../lines.js';
import { healthBadge, reasonText as healthReason } from '../health.js';

const RINGS_MS = 2000;
const LINES_MS = 10000;
const SYSTEM_MS = 10000;
// /api/v1/health says ok, degraded or failed; the badges say healthy, ...
const SYS_CLASS = { ok: 'healthy', degraded: 'degraded', failed: 'failed' };
// read directly: a failed iiotd answers 503 with the same body
const sysHealth = () => fetch('/api/v1/health', { credentials: 'same-origin' }).then((r) => r.json()).catch(() => null);

const num = (v, d) => (v === undefined ? '…' : Number(v).toFixed(d === undefined ? 1 : d));
const link = (href, text, id) => h('a', { href, id }, text instanceof Node ? text : String(text));

function stat(label, value, id, href) {
  return h('div', { class: 'stat' }, h('div', { class: 'v' }, href ? link(href, value, id) : h('span', { id }, String(value))),
    h('div', { class: 'l' }, label));
}

// Frames the NIC lost before the capture path saw them; '-' where the
// source does not report NIC counters (all four are then 0).
function nicLost(r) {
  if (r.nic_packets === undefined || !(r.nic_packets || r.nic_missed || r.nic_nombuf)) return '-';
  const lost = (r.nic_missed || 0) + (r.nic_nombuf || 0);
  return h('span', { class: lost ? 'off' : '' }, lost);
}

// running, or why not: a ring without a producer is a stopped source, and
// one whose records stand still is a silent one
function ringState(r, rate) {
  if (!r.open || r.state === 'closed') return h('span', { class: 'badge failed' }, t('ring.stopped'));
  if (rate === 0) return h('span', { class: 'badge degraded' }, t('ring.silent'));
  return h('span', { class: 'badge healthy' }, t('ring.running'));
}

function reasonText(w, line) {
  const head = line.head;
  const q = head.kind === 'ecat-master' ? 'parent=' + head.id : 'kind=pn-device';
  switch (w.k) {
  case 'head_offline': return link('#/device/' + head.id, t('why.head_offline', { kind: t('kind.' + head.kind) }));
  case 'all_offline': return link('#/devices?' + q + '&state=offline', t('why.all_offline', { n: w.n }));
  case 'some_offline': return link('#/devices?' + q + '&state=offline', t('why.some_offline', { n: w.n, of: w.of }));
  case 'no_frames': return link('#/device/' + head.id, t('why.no_frames'));
  case 'lost': return link('#/device/' + head.id, t('why.lost', { n: num(w.n) }));
  case 'errors': return link('#/devices?' + q + '&sort=-errors', t('why.errors', { n: num(w.n) }));
  default: return w.k;
  }
}

export async function overview(main, app) {
  if (!app.can('device.read')) { main.append(h('p', { class: 'card' }, t('overview.norights'))); return null; }
  const o = await get('/overview');
  let devices = (await get('/devices')).devices;
  let links = (await get('/links')).links;
  let diag = await get('/diag').catch(() => null);
  const rates = new Rates(), ringRates = new Rates();
  const online = new Map();
  let counters = {};

  const totals = h('div', { class: 'stats', id: 'ov-totals' });
  const rateBox = h('div', { class: 'stats', id: 'ov-rates' });
  const linesBox = h('div', { id: 'ov-lines' });
  const ringsBox = h('div', { id: 'ov-rings' });
  const healthBox = h('div', { id: 'ov-link-health' });
  const portsBox = h('div', { id: 'ov-ports' });
  const systemBox = h('div', { id: 'ov-system' });
  let system = await sysHealth();
  const kinds = h('div', {});
  let rings = (o.capture && o.capture.rings) || [];

  function drawTotals() {
    const n = devices.length, on = devices.filter((d) => (online.has(d.id) ? online.get(d.id) : d.online)).length;
    totals.replaceChildren(
      stat(t('overview.devices'), n, 'ov-devices', '#/devices'),
      stat(t('overview.online'), on, 'ov-online', '#/devices?state=online'),
      stat(t('overview.offline'), n - on, 'ov-offline', '#/devices?state=offline'),
      stat(t('overview.links'), links.length, 'ov-links', '#/topology'));
    rateBox.replaceChildren(
      stat(t('overview.fps'), num(rates.rate('frames'), 0), 'ov-fps'),
      stat(t('overview.lostps'), num(rates.rate('lost')), 'ov-lostps'),
      stat(t('overview.errpm'), num(rates.rate('wkc') === undefined ? undefined : rates.rate('wkc') * 60), 'ov-errpm'),
      stat(t('overview.alarms'), counters.alarms || 0, 'ov-alarms'));
  }

  function drawLines() {
    const lines = buildLines(devices, links, online);
    const rows = lines.map((l) => {
      const sum = (keys) => keys.reduce((a, k) => { const r = rates.rate(k); return a === undefined || r === undefined ? undefined : a + r; }, 0);
      const lk = l.links.map((x) => x.id);
      const devs = [l.head.id, ...l.members.map((d) => d.id)];
      const r = {
        fps: lk.length ? sum(lk.map((x) => 'l:' + x + ':f')) : rates.rate('d:' + l.head.id + ':f'),
        lost: sum(lk.map((x) => 'l:' + x + ':l')),
        errors: (() => { const e = sum(devs.map((x) => 'd:' + x + ':e')); return e === undefined ? undefined : e * 60; })(),
      };
      const v = verdict(l, r);
      const q = l.head.kind === 'ecat-master' ? 'parent=' + l.head.id : 'kind=pn-device';
      return { l, v, cells: [
        link('#/device/' + l.head.id, devNameEl(l.head)),
        h('span', { class: 'badge ' + v.level, dataset: { line: l.head.id } }, t('verdict.' + v.level)),
        v.why.length ? h('span', { class: 'why' }, v.why.map((w, i) => [i ? '; ' : '', reasonText(w, l)]).flat()) : '-',
        link('#/devices?' + q, (l.members.length - l.offline.length) + ' / ' + l.members.length),
        num(r.fps, 0), num(r.lost), num(r.errors)] };
    });
    linesBox.replaceChildren(rows.length ? table([t('col.line'), t('col.verdict'), t('col.reason'), t('col.members_online'),
      t('overview.fps'), t('overview.lostps'), t('overview.errpm')], rows.map((x) => x.cells),
    (i) => ({ class: 'line-row', dataset: { verdict: rows[i].v.level, id: rows[i].l.head.id } }))
      : h('p', {}, t('overview.nolines')));
  }

  // one row per cyclic link, worst first, with what lowered it
  function drawHealth() {
    const byId = new Map(devices.map((d) => [d.id, d]));
    const rows = ((diag && diag.links) || []).slice().sort((a, b) => a.score - b.score || a.id - b.id);
    healthBox.replaceChildren(rows.length ? table([t('col.id'), t('col.sender'), t('col.health'), t('col.reasons')],
      rows.map((l) => { const s = byId.get(l.src);
        return [l.id, s ? link('#/device/' + s.id, devNameEl(s)) : String(l.src), healthBadge(l.score, l.grade),
          l.reasons.length ? h('span', { class: 'why' }, l.reasons.map((r, i) => [i ? '; ' : '', '−' + r.points + ' ', healthReason(r)]).flat()) : '-']; }),
      (i) => ({ class: 'link-health-row', dataset: { id: rows[i].id, grade: rows[i].grade } }))
      : h('p', {}, t('overview.nolines')));
  }

  // each capture port's load over its last second, graded as the
  // PROFINET planning guidelines do (fine < 20 %, check, reduce > 50 %)
  function drawPorts() {
    const ports = (diag && diag.ports) || [];
    const cls = { fine: 'healthy', check: 'degraded', reduce: 'failed' };
    portsBox.replaceChildren(ports.length ? table([t('col.port'), t('col.load'), t('col.peak'), t('col.bytes_ms'),
      t('col.speed'), t('col.grade')],
    ports.map((p) => [p.port, num(p.load_pct ?? undefined), num(p.peak_pct ?? undefined), num(p.bytes_per_ms ?? undefined, 0), p.speed_mbps + ' Mbit/s',
      h('span', { class: 'badge ' + (cls[p.grade] || ''), dataset: { grade: p.grade } }, t('load.' + p.grade))]),
    (i) => ({ class: 'port-row', dataset: { port: ports[i].port, grade: ports[i].grade } }))
      : h('p', {}, t('overview.noports')));
  }

  // iiotd's own health: the verdict, then each check with its reason
  function drawSystem() {
    if (!system || !system.checks) { systemBox.replaceChildren(h('p', {}, '-')); return; }
    const badge = (st) => h('span', { class: 'badge ' + (SYS_CLASS[st] || ''), dataset: { status: st } },
      t(st === 'ok' ? 'sys.ok' : 'verdict.' + st));
    systemBox.replaceChildren(h('p', { id: 'ov-system-status' }, badge(system.status)),
      table([t('col.check'), t('col.state'), t('col.reason')],
        system.checks.map((c) => [t('check.' + c.name), badge(c.status), c.reason]),
        (i) => ({ class: 'system-row', dataset: { check: system.checks[i].name, status: system.checks[i].status } })));
  }

  function drawRings() {
    ringsBox.replaceChildren(table([t('col.ring'), t('col.state'), t('col.source'), t('col.records'), t('overview.fps'), t('col.drops'),
      t('col.nic_lost'), t('col.corrupt'), t('col.fill')],
    rings.map((r) => { const name = r.ring || r.name; const rr = ringRates.rate(name);
      return [name, ringState(r, rr), r.source || '-', r.records === undefined ? r.drained : r.records, num(rr, 0),
        r.drops === undefined ? '-' : h('span', { class: r.drops ? 'off' : '' }, r.drops),
        nicLost(r), r.corrupt === undefined ? '-' : r.corrupt, r.fill === undefined ? '-' : String(r.fill)]; }),
    (i) => ({ class: 'ring-row', dataset: { ring: rings[i].ring || rings[i].name } })));
  }

  function ringSnap() {
    ringRates.push(Date.now(), new Map(rings.map((r) => [r.ring || r.name, r.records === undefined ? r.drained : r.records])));
  }
  ringSnap();
  drawTotals(); drawLines(); drawRings(); drawHealth(); drawPorts(); drawSystem();
  kinds.append(table([t('col.kind'), t('col.count')],
    Object.entries(o.by_kind).map(([k, n]) => [link('#/devices?kind=' + k, t('kind.' + k)), n])));
  main.append(h('h1', {}, t('nav.overview')), totals,
    h('div', { class: 'card' }, h('h2', {}, t('overview.system')), systemBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.rates')), rateBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.lines')), linesBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.link_health')), healthBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.ports')), portsBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.rings')), ringsBox),
    h('div', { class: 'card' }, h('h2', {}, t('overview.kinds')), kinds));

  let alive = true;
  const ringTimer = setInterval(async () => {
    try { rings = (await get('/capture')).rings || []; ringSnap(); drawRings(); } catch (e) { /* the banner says so */ }
  }, RINGS_MS);
  const lineTimer = setInterval(async () => {
    try {
      const [d, l, g] = await Promise.all([get('/devices'), get('/links'), get('/diag')]);
      if (!alive) return;
      devices = d.devices; links = l.links; diag = g;
      drawHealth(); drawPorts();
    } catch (e) { /* the banner says so */ }
  }, LINES_MS);
  const systemTimer = setInterval(async () => {
    system = await sysHealth();
    if (alive) drawSystem();
  }, SYSTEM_MS);
  const off = app.onLive((d) => {
    counters = d.counters || {};
    const v = new Map([['frames', counters.frames], ['lost', counters.lost_frames], ['wkc', counters.wkc_errors]]);
    for (const [id, on, frames, errors] of d.devices) { online.set(id, on); v.set('d:' + id + ':f', frames); v.set('d:' + id + ':e', errors); }
    for (const l of d.links) { v.set('l:' + l[0] + ':f', l[5]); v.set('l:' + l[0] + ':l', l[6]); }
    rates.push(d.ts_ms, v);
    drawTotals(); drawLines();
  });
  return () => { alive = false; off(); clearInterval(ringTimer); clearInterval(lineTimer); clearInterval(systemTimer); };
}
