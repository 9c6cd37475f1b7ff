// The trend view of a device's signals: a time range (last N, or from/to),
// zoom by dragging across the chart, pan earlier/later, several signals on
// one chart (one axis per unit), digital signals as 0/1 steps, gaps where
// nothing was measured, and the shown data as CSV.  History comes from
// GET /signals/{id}/samples (from/to in ms, rollup auto: raw, 1 s or 1 min
// as the range needs).
import { get } from './api.js';
import { h, fmtTime } from './dom.js';
import { t } from './i18n.js';
import { uPlot, COLORS, fitWidth, withGaps } from './chart.js';

const RANGES = [['15m', 15], ['1h', 60], ['6h', 360], ['24h', 1440], ['7d', 10080]];
const REFRESH_MS = 5000;

const digital = (s) => /^bit/.test(s.type || '') || s.unit === 'bool';

// datetime-local value <-> ms, in the browser's zone (the label says which)
const toLocal = (ms) => { const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000); return d.toISOString().slice(0, 19); };
const fromLocal = (v) => new Date(v).getTime();

export function trendView(signals) {
  const zone = fmtTime(Date.now()).split(' ').pop();
  const range = h('select', { id: 'trend-range' }, RANGES.map(([k]) => h('option', { value: k }, t('trend.last_' + k))),
    h('option', { value: 'custom' }, t('trend.custom')));
  range.value = '1h';
  const from = h('input', { type: 'datetime-local', id: 'trend-from', step: 1 });
  const to = h('input', { type: 'datetime-local', id: 'trend-to', step: 1 });
  const picks = signals.map((s, i) => h('input', { type: 'checkbox', id: 'trend-sig-' + s.id, value: s.id, checked: i < 3 }));
  const status = h('span', { id: 'trend-status', role: 'status', class: 'tag' });
  const csv = h('button', { type: 'button', id: 'trend-csv', class: 'secondary' }, t('trend.csv'));
  const box = h('div', { class: 'trend-chart', id: 'trend-chart' });
  const el = h('div', { class: 'card trend', id: 'trend' }, h('h2', {}, t('trend.title')),
    h('div', { class: 'toolbar' },
      h('label', { for: 'trend-range' }, t('trend.range')), range,
      h('label', { for: 'trend-from' }, t('trend.from', { zone })), from,
      h('label', { for: 'trend-to' }, t('trend.to', { zone })), to,
      h('button', { type: 'button', id: 'trend-earlier', class: 'secondary', onclick: () => pan(-0.5) }, t('trend.earlier')),
      h('button', { type: 'button', id: 'trend-later', class: 'secondary', onclick: () => pan(0.5) }, t('trend.later')),
      h('button', { type: 'button', id: 'trend-zoomout', class: 'secondary', onclick: () => zoom(2) }, t('trend.zoomout')),
      csv, status),
    h('fieldset', { class: 'toolbar picks' }, h('legend', {}, t('trend.signals')),
      signals.map((s, i) => h('label', { for: picks[i].id }, picks[i], ' ' + s.name + (s.unit ? ' [' + s.unit + ']' : '') +
        (digital(s) ? ' (0/1)' : '')))),
    box);

  let win = null;		// [from_ms, to_ms] when not following now
  let plot = null, shown = [], data = null, timer = null, seq = 0;
  let bands = [];		// per shown signal: its anomaly band or null

  // The expected band of each analog signal from its learnt profile
  // (GET /analytics/band/{id}?from=&to=), shaded behind its line: the
  // bands in force over the range as steps (each holds until the next),
  // or, with no history yet, the band now across the chart.
  function drawBands(u) {
    const ctx = u.ctx;
    shown.forEach((s, i) => {
      const b = bands[i];
      if (!b || digital(s)) return;
      const sc = u.series[i + 1].scale;
      const steps = b.history && b.history.length ? b.history.map((x, k, all) => [x[0], k + 1 < all.length ? all[k + 1][0] : Infinity, x[1], x[2]]) :
        b.ready && b.lo !== undefined ? [[-Infinity, Infinity, b.lo, b.hi]] : [];
      ctx.save();
      ctx.fillStyle = COLORS[i % COLORS.length] + '22';
      for (const [t0, t1, lo, hi] of steps) {
        const x0 = Math.max(u.bbox.left, isFinite(t0) ? u.valToPos(t0 / 1000, 'x', true) : -Infinity);
        const x1 = Math.min(u.bbox.left + u.bbox.width, isFinite(t1) ? u.valToPos(t1 / 1000, 'x', true) : Infinity);
        const y1 = u.valToPos(hi, sc, true), y2 = u.valToPos(lo, sc, true);
        const top = Math.max(u.bbox.top, Math.min(y1, y2)), bot = Math.min(u.bbox.top + u.bbox.height, Math.max(y1, y2));
        if (bot > top && x1 > x0) ctx.fillRect(x0, top, x1 - x0, bot - top);
      }
      ctx.restore();
    });
  }

  function span() {
    if (win) return win;
    const min = RANGES.find(([k]) => k === range.value)[1];
    const now = Date.now();
    return [now - min * 60000, now];
  }

  function build(sel) {
    if (plot) { plot.destroy(); plot = null; }
    const units = [...new Set(sel.map((s) => (digital(s) ? '0/1' : s.unit || t('trend.value'))))];
    const scales = { x: { time: true } };
    for (const u of units) scales[u] = u === '0/1' ? { range: [-0.1, 1.1] } : {};
    plot = new uPlot({
      width: fitWidth(box), height: 320,
      scales,
      cursor: { drag: { x: true, y: false, setScale: false } },
      axes: [{}, ...units.map((u, i) => ({ scale: u, label: u, side: i % 2 ? 1 : 3, grid: { show: i === 0 } }))],
      series: [{}, ...sel.map((s, i) => ({ label: s.name, scale: digital(s) ? '0/1' : s.unit || t('trend.value'),
        stroke: COLORS[i % COLORS.length], width: 1.5, paths: digital(s) ? uPlot.paths.stepped({ align: 1 }) : undefined }))],
      hooks: { drawClear: [drawBands], setSelect: [(u) => {
        // a drag across the chart zooms into what it covers
        if (u.select.width < 5) return;
        const a = u.posToVal(u.select.left, 'x') * 1000, b = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
        u.setSelect({ width: 0, height: 0 }, false);
        setWindow(a, b);
      }] },
    }, [[]], box);
  }

  async function load() {
    const my = ++seq;
    const sel = signals.filter((s, i) => picks[i].checked);
    const [a, b] = span();
    from.value = toLocal(a); to.value = toLocal(b);
    if (sel.map((s) => s.id).join() !== shown.map((s) => s.id).join() || !plot) { shown = sel; build(sel); }
    if (!sel.length) { data = [[]]; plot.setData(data); status.textContent = t('trend.none'); return; }
    const width = Math.min(2000, Math.max(200, fitWidth(box)));
    const res = await Promise.all(sel.map((s) => get('/signals/' + s.id + '/samples?from=' + Math.floor(a) + '&to=' + Math.ceil(b) +
      '&max_points=' + width).catch(() => ({ points: [] }))));
    const bs = await Promise.all(sel.map((s) => (digital(s) ? null : get('/analytics/band/' + s.id + '?from=' + Math.floor(a) + '&to=' + Math.ceil(b)).catch(() => null))));
    if (my !== seq) return;
    bands = bs;
    const b0 = bs.find((x) => x && x.ready && x.lo !== undefined);
    box.dataset.band = b0 ? b0.signal + ':' + b0.lo.toFixed(3) + '..' + b0.hi.toFixed(3) : '';
    const h0 = bs.find((x) => x && x.history && x.history.length);
    box.dataset.bandHistory = h0 ? h0.signal + ':' + h0.history.length : '';
    // one table per signal (avg), gaps as nulls, then aligned on time
    const tables = res.map((r) => { const p = withGaps(r.points.map((x) => [x[0], x[3]])); return [p.map((x) => x[0] / 1000), p.map((x) => x[1])]; });
    data = uPlot.join(tables);	// nulls kept (gaps), alignment holes bridged
    plot.setData(data, false);
    plot.setScale('x', { min: a / 1000, max: b / 1000 });
    const n = res.reduce((m, r) => m + r.points.length, 0);
    status.textContent = t('trend.points', { n, from: fmtTime(a), to: fmtTime(b) });
    box.dataset.points = String(n);
    box.dataset.series = String(sel.length);
    box.dataset.from = String(Math.floor(a));
    box.dataset.to = String(Math.ceil(b));
  }

  function setWindow(a, b) {
    win = [a, Math.min(b, Date.now())];
    if (win[1] - win[0] < 1000) win = [win[1] - 1000, win[1]];
    range.value = 'custom';
    load();
  }
  function pan(f) { const [a, b] = span(); const d = (b - a) * f; setWindow(a + d, b + d); }
  function zoom(f) { const [a, b] = span(); const c = (a + b) / 2, w = (b - a) * f / 2; setWindow(c - w, c + w); }

  range.addEventListener('change', () => { if (range.value !== 'custom') win = null; load(); });
  for (const i of [from, to]) i.addEventListener('change', () => { if (from.value && to.value && fromLocal(from.value) < fromLocal(to.value)) setWindow(fromLocal(from.value), fromLocal(to.value)); });
  for (const p of picks) p.addEventListener('change', load);
  csv.addEventListener('click', () => {
    if (!data || !data[0].length) return;
    const head = ['time_utc', ...shown.map((s) => s.name + (s.unit ? ' [' + s.unit + ']' : ''))];
    const rows = data[0].map((x, i) => [new Date(x * 1000).toISOString(), ...shown.map((s, j) => {
      const v = data[j + 1][i]; return v === null || v === undefined ? '' : String(v); })]);
    const text = [head, ...rows].map((r) => r.map((c) => (/[",\r\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c)).join(',')).join('\r\n') + '\r\n';
    const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: 'iiot-trend.csv', id: 'trend-csv-link' });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });
  const onResize = () => plot && plot.setSize({ width: fitWidth(box), height: 320 });
  window.addEventListener('resize', onResize);
  // following "the last N": new data every few seconds
  timer = setInterval(() => { if (!win) load(); }, REFRESH_MS);
  return { el, load, destroy() { clearInterval(timer); window.removeEventListener('resize', onResize); if (plot) plot.destroy(); } };
}
