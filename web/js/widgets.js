// The dashboard's widgets.  Each kind makes its body from its saved
// settings and the context (the app, the signals by id) and answers live
// snapshots (GET /events, 'live': signals as [id, device, value, ts_ms]):
//   chart     signals over range_min minutes: history from
//             /signals/{id}/samples (rollups: the average line and the
//             min..max band shaded), then live; drag across to zoom,
//             double-click to see the whole range again
//   value     a signal's latest value, coloured by warn / alarm
//   gauge     the same on an arc from min to max
//   lamp      on (non-zero) or off
//   devices   every device with its state and health score
//   alerts    the open alerts, newest first
//   oee       a line's machines and their OEE now
//   topology  a link to the topology page with the device count
//   text      a note
import { get } from './api.js';
import { h, fmtClock, devNameEl } from './dom.js';
import { t } from './i18n.js';
import { uPlot, COLORS } from './chart.js';
import { healthBadge } from './health.js';
import { sevBadge } from './views/alerts.js';

export const KINDS = ['chart', 'value', 'gauge', 'lamp', 'devices', 'alerts', 'oee', 'topology', 'text'];
// the size a new widget of each kind starts at (columns, rows)
export const SIZE = { chart: [6, 4], value: [2, 2], gauge: [3, 3], lamp: [2, 2], devices: [6, 4], alerts: [6, 4], oee: [4, 3], topology: [3, 2], text: [4, 2] };
const MAX_POINTS = 2000;
const POLL_MS = 10000;

const num = (v) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
// 'ok', 'warn' or 'alarm' by the widget's thresholds (above them)
export function level(w, v) {
  if (v === null || v === undefined) return 'none';
  if (w.alarm !== undefined && v >= w.alarm) return 'alarm';
  if (w.warn !== undefined && v >= w.warn) return 'warn';
  return 'ok';
}

const sigName = (ctx, id) => { const s = ctx.sig.get(id); return s ? s.name + (s.unit ? ' [' + s.unit + ']' : '') : '#' + id; };
const latest = (d, id) => { const r = d.signals.find((x) => x[0] === id); return r ? r[2] : undefined; };

// Redraws share a frame budget: each chart that has new data is drawn
// once in the next frame, in the order they asked, until FRAME_BUDGET_MS
// is spent; the rest wait for the next frame, first in line.  However many
// charts and snapshots, the page keeps its frame rate, and under load a
// chart is drawn less often, never with stale data (bench/dashboard.bench).
const FRAME_BUDGET_MS = 10;
const dirty = new Set();
let frameQueued = false;
function runFrame() {
  const t0 = performance.now();
  for (const draw of dirty) {
    dirty.delete(draw);
    draw();
    if (performance.now() - t0 > FRAME_BUDGET_MS) break;
  }
  frameQueued = dirty.size > 0;
  if (frameQueued) requestAnimationFrame(runFrame);
}
function frameBatcher(draw) {
  return () => {
    dirty.add(draw);
    if (!frameQueued) { frameQueued = true; requestAnimationFrame(runFrame); }
  };
}

// History requests, a few at a time: iiotd reads the store on a small pool
// of reader threads with a bounded queue (a full one answers 503), and a
// dashboard of 20 charts asks for 200 signals' history at once.
const HISTORY_PARALLEL = 2;
let inFlight = 0;
const waiting = [];
async function history(path) {
  if (inFlight >= HISTORY_PARALLEL) await new Promise((res) => waiting.push(res));
  inFlight++;
  try { return await get(path); } finally { inFlight--; if (waiting.length) waiting.shift()(); }
}

// the finest rollup whose rows for a window of ms fit FINE_POINTS: raw
// for half a minute, 1 s rows up to FINE_POINTS seconds, else 1 min rows
const FINE_POINTS = 600;
const rollupFor = (ms) => (ms <= 30000 ? 'raw' : ms / 1000 <= FINE_POINTS ? '1s' : '1m');

function chart(w, ctx, body) {
  const ids = w.signals;
  const range = (w.range_min || 60) * 60000;
  const box = h('div', { class: 'w-plot' });
  body.append(box);
  let data = [[], ...ids.map(() => [])];
  let band = ids.map(() => null);	// [xs, lo, hi] per signal from the rollups
  let zoomed = false;
  const drawBand = (u) => {
    const c = u.ctx;
    band.forEach((b, i) => {
      if (!b || !b[0].length) return;
      c.save();
      c.fillStyle = COLORS[i % COLORS.length] + '30';
      c.beginPath();
      for (let k = 0; k < b[0].length; k++) c.lineTo(u.valToPos(b[0][k], 'x', true), u.valToPos(b[2][k], 'y', true));
      for (let k = b[0].length - 1; k >= 0; k--) c.lineTo(u.valToPos(b[0][k], 'x', true), u.valToPos(b[1][k], 'y', true));
      c.closePath();
      c.fill();
      c.restore();
    });
  };
  const size = () => ({ width: Math.max(120, box.clientWidth), height: Math.max(60, box.clientHeight - (ids.length <= 4 ? 30 : 4)) });
  const plot = new uPlot({ ...size(), legend: { show: ids.length <= 4 },
    scales: { x: { time: true } },
    cursor: { drag: { x: true, y: false, setScale: true } },
    series: [{}, ...ids.map((id, i) => ({ label: sigName(ctx, id), stroke: COLORS[i % COLORS.length], width: 1 }))],
    hooks: { drawClear: [drawBand], setScale: [(u, key) => { if (key === 'x') box.dataset.zoomed = String(zoomed); }] },
  }, data, box);
  box.addEventListener('dblclick', () => { zoomed = false; box.dataset.zoomed = 'false'; follow(); });
  box.addEventListener('pointerup', () => {
    setTimeout(() => {
      const s = plot.scales.x, last = data[0][data[0].length - 1], was = [box.dataset.zmin, box.dataset.zmax].join();
      zoomed = !!(s && last && s.max < last - 0.5);
      box.dataset.zoomed = String(zoomed);
      if (zoomed && [s.min, s.max].join() !== was) finer(s.min, s.max);
    }, 0);
  });
  // a zoom asks the store for the window again at the rollup it needs
  // (docs/web.md, Dashboards): finer points, and their min/max band, in
  // place of the coarse ones stretched; outside the window all stays
  let fineSeq = 0;
  const finer = async (min, max) => {
    const my = ++fineSeq, from = Math.floor(min * 1000), to = Math.ceil(max * 1000), ro = rollupFor(to - from);
    box.dataset.zmin = String(min); box.dataset.zmax = String(max);
    const res = await Promise.all(ids.map((id) => history('/signals/' + id + '/samples?from=' + from + '&to=' + to + '&rollup=' + ro +
      '&max_points=' + FINE_POINTS).catch(() => ({ points: [] }))));
    if (my !== fineSeq || !zoomed || !res.some((r) => r.points.length)) return;
    const fine = uPlot.join(res.map((r) => [r.points.map((p) => p[0] / 1000), r.points.map((p) => p[3])]));
    const out = (xs) => xs.map((x, k) => k).filter((k) => xs[k] < min || xs[k] > max);
    const keep = out(data[0]);
    box.dataset.windowBefore = String(data[0].length - keep.length);
    const merged = data.map((col, i) => keep.map((k) => col[k]).concat(fine[i]));
    const order = merged[0].map((x, k) => k).sort((a, b) => merged[0][a] - merged[0][b]);
    data = merged.map((col) => order.map((k) => col[k]));
    band = band.map((b, i) => {
      const r = res[i].points, o = b ? out(b[0]) : [];
      const xs = o.map((k) => b[0][k]).concat(r.map((p) => p[0] / 1000)), lo = o.map((k) => b[1][k]).concat(r.map((p) => p[1]));
      const hi = o.map((k) => b[2][k]).concat(r.map((p) => p[2])), ix = xs.map((x, k) => k).sort((a, c) => xs[a] - xs[c]);
      return [ix.map((k) => xs[k]), ix.map((k) => lo[k]), ix.map((k) => hi[k])];
    });
    box.dataset.rollup = ro;
    box.dataset.windowPoints = String(fine[0].length);
    plot.batch(() => { plot.setData(data, false); plot.setScale('x', { min, max }); });
    box.dataset.points = String(data[0].length);
  };
  // the range, or less while there is less history (a new plant)
  const follow = () => {
    const xs = data[0];
    if (!zoomed && xs.length > 1) plot.setScale('x', { min: Math.max(xs[0], xs[xs.length - 1] - range / 1000), max: xs[xs.length - 1] });
  };
  let draws = 0;
  const redraw = frameBatcher(() => {
    plot.batch(() => { plot.setData(data, false); follow(); });
    box.dataset.points = String(data[0].length);
    box.dataset.draws = String(++draws);
  });
  (async () => {
    const to = Date.now(), from = to - range;
    const res = await Promise.all(ids.map((id) => history('/signals/' + id + '/samples?from=' + from + '&to=' + to + '&max_points=300').catch(() => ({ points: [] }))));
    band = res.map((r) => [r.points.map((p) => p[0] / 1000), r.points.map((p) => p[1]), r.points.map((p) => p[2])]);
    const tables = res.map((r) => [r.points.map((p) => p[0] / 1000), r.points.map((p) => p[3])]);
    const hist = tables.some((x) => x[0].length) ? uPlot.join(tables) : [[], ...ids.map(() => [])];
    // live points that came while the history loaded stay after it
    const last = hist[0].length ? hist[0][hist[0].length - 1] : -Infinity;
    const keep = data[0].map((x, k) => k).filter((k) => data[0][k] > last);
    data = hist.map((s, i) => s.concat(keep.map((k) => data[i][k])));
    box.dataset.history = String(res.reduce((n, r) => n + r.points.length, 0));
    redraw();
  })();
  const onResize = () => plot.setSize(size());
  return {
    live(d) {
      const vals = ids.map((id) => latest(d, id));
      if (vals.every((v) => v === undefined)) return;
      const x = d.ts_ms / 1000;
      if (data[0].length && x <= data[0][data[0].length - 1]) return;
      data[0].push(x);
      vals.forEach((v, i) => data[i + 1].push(v === undefined ? null : v));
      if (data[0].length > MAX_POINTS) for (const s of data) s.splice(0, data[0].length - MAX_POINTS);
      redraw();
    },
    resize: onResize,
    destroy() { plot.destroy(); },
  };
}

function value(w, ctx, body, gauge) {
  const id = w.signal;
  const s = ctx.sig.get(id);
  const v = h('b', { class: 'w-value-num' }, '-');
  const arc = gauge ? h('div', { class: 'w-gauge' }) : null;
  const el = h('div', { class: 'w-value' }, arc, v, h('span', { class: 'w-unit' }, s && s.unit ? s.unit : ''), h('div', { class: 'w-sig' }, sigName(ctx, id)));
  body.append(el);
  const lo = w.min === undefined ? 0 : w.min, hi = w.max === undefined ? 100 : w.max;
  const NS = 'http://www.w3.org/2000/svg';
  let fill = null;
  if (gauge) {
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 100 55');
    svg.setAttribute('role', 'img');
    const path = (cls) => { const p = document.createElementNS(NS, 'path'); p.setAttribute('d', 'M 8 50 A 42 42 0 0 1 92 50'); p.setAttribute('class', cls); p.setAttribute('pathLength', '100'); svg.append(p); return p; };
    path('g-track');
    fill = path('g-fill');
    arc.append(svg);
  }
  const show = (x) => {
    v.textContent = num(x);
    el.dataset.level = level(w, x);
    el.dataset.value = x === undefined ? '' : String(x);
    if (fill) {
      const f = Math.max(0, Math.min(1, (x - lo) / ((hi - lo) || 1)));
      fill.setAttribute('stroke-dasharray', (f * 100).toFixed(1) + ' 100');
      fill.setAttribute('class', 'g-fill ' + el.dataset.level);
    }
  };
  show(s ? s.last : undefined);
  return { live(d) { const x = latest(d, id); if (x !== undefined) show(x); } };
}

function lamp(w, ctx, body) {
  const dot = h('span', { class: 'w-lamp-dot', 'aria-hidden': 'true' });
  const word = h('span', { class: 'w-lamp-word' }, '-');
  const el = h('div', { class: 'w-lamp' }, dot, word, h('div', { class: 'w-sig' }, sigName(ctx, w.signal)));
  body.append(el);
  const show = (x) => {
    if (x === undefined || x === null) return;
    el.dataset.on = String(x !== 0);
    word.textContent = t(x !== 0 ? 'dash.lamp.on' : 'dash.lamp.off');
  };
  const s = ctx.sig.get(w.signal);
  show(s ? s.last : undefined);
  return { live(d) { show(latest(d, w.signal)); } };
}

// a widget that reads a route every POLL_MS (and on demand)
function polled(body, load) {
  let timer = null, gone = false;
  const run = async () => {
    try { await load(); body.dataset.error = ''; } catch (e) { body.dataset.error = e.message; }
    if (!gone) timer = setTimeout(run, POLL_MS);
  };
  run();
  return { again() { clearTimeout(timer); run(); }, destroy() { gone = true; clearTimeout(timer); } };
}

function devices(w, ctx, body) {
  const tb = h('tbody', {});
  body.append(h('table', { class: 'grid w-table' }, h('thead', {}, h('tr', {}, h('th', {}, t('alerts.device')), h('th', {}, t('col.state')), h('th', {}, t('col.health')))), tb));
  const p = polled(body, async () => {
    const r = await get('/devices?sort=health&limit=200');
    tb.replaceChildren(...r.devices.map((d) => h('tr', { dataset: { id: d.id } },
      h('td', {}, ctx.kiosk ? devNameEl(d) : h('a', { href: '#/device/' + d.id }, devNameEl(d))),
      h('td', {}, h('span', { class: 'badge ' + (d.online ? 'healthy' : 'failed') }, t(d.online ? 'state.online' : 'state.offline'))),
      h('td', {}, healthBadge(typeof d.health === 'number' ? d.health : null, d.health_grade)))));
  });
  return { destroy: p.destroy };
}

function alerts(w, ctx, body) {
  const list = h('ul', { class: 'w-alerts' });
  body.append(list);
  const p = polled(body, async () => {
    const r = await get('/alerts?state=open&limit=' + (w.limit || 10));
    list.replaceChildren(...(r.alerts.length ? r.alerts.map((a) => h('li', { dataset: { id: a.id, severity: a.severity } },
      sevBadge(a.severity), ' ',
      ctx.kiosk ? (document.documentElement.lang === 'zh-CN' ? a.message_zh : a.message) :
        h('a', { href: '#/alert/' + a.id }, document.documentElement.lang === 'zh-CN' ? a.message_zh : a.message),
      ' ', h('span', { class: 'muted' }, fmtClock(Math.floor(a.last_ns / 1e6))))) : [h('li', { class: 'muted' }, t('dash.alerts.none'))]));
  });
  const off = ctx.app.onAlert(() => p.again());
  return { destroy() { off(); p.destroy(); } };
}

function oee(w, ctx, body) {
  const box = h('div', { class: 'w-oee' });
  body.append(box);
  const pct = (v) => (v === null || v === undefined ? '-' : (v * 100).toFixed(1) + ' %');
  const p = polled(body, async () => {
    const o = await get('/oee');
    const ms = o.machines.filter((m) => !w.line || m.line === w.line);
    box.replaceChildren(...(ms.length ? ms.map((m) => h('div', { class: 'w-oee-m band-' + (m.current.band || 'none'), dataset: { machine: m.name } },
      h('span', {}, m.name), h('b', {}, pct(m.current.oee)))) : [h('p', { class: 'muted' }, t('oee.none'))]));
  });
  return { destroy: p.destroy };
}

function topology(w, ctx, body) {
  const n = h('b', {}, '-');
  body.append(h('div', { class: 'w-topo' }, h('p', {}, t('dash.topology.devices'), ' ', n),
    ctx.kiosk ? null : h('a', { href: '#/topology', class: 'w-link' }, t('dash.topology.open'))));
  return { live(d) { n.textContent = d.devices.filter((x) => x[1]).length + ' / ' + d.devices.length; } };
}

function text(w, ctx, body) {
  body.append(h('p', { class: 'w-text' }, w.text || ''));
  return {};
}

const MAKERS = { chart, value: (w, c, b) => value(w, c, b, false), gauge: (w, c, b) => value(w, c, b, true), lamp, devices, alerts, oee, topology, text };

// w's body filled into body; { live, resize, destroy } as the kind has them
export function makeWidget(w, ctx, body) {
  try {
    return MAKERS[w.type](w, ctx, body) || {};
  } catch (e) {
    body.append(h('p', { class: 'error' }, e.message));
    return {};
  }
}
