// The plant: overview, device inventory, device detail, topology.
import { get, put, patch } from '../api.js';
import { h, table, toast, devName, devNameEl } from '../dom.js';
import { t } from '../i18n.js';
import { TimeChart } from '../chart.js';
import { trendView } from '../trend.js';
import { confirmAction } from '../dialog.js';
import { controlCard } from '../control.js';
import { fieldValue, hex } from '../format.js';
import { deviceCard } from './alerts.js';
import { healthBadge, reasonList } from '../health.js';
import { topologyDrawing } from './topology.js';

const fmt = (v, d) => (v === undefined || v === null ? '-' : Number(v).toFixed(d === undefined ? 1 : d));

export { overview } from './overview.js';

export { devices } from './devices.js';

const SKIP = new Set(['links', 'signals', 'chain', 'id', 'label', 'alias', 'health', 'health_grade', 'links_health', 'diag_series']);
const ESC_SERIES = ['rx_errors_p0', 'rx_errors_p1', 'rx_errors_p2', 'rx_errors_p3', 'dc_diff_ns'];
const HEALTH_MS = 5000;
const stateBadge = (on) => h('span', { class: 'badge ' + (on ? 'healthy' : 'failed'), id: 'dev-state' }, t(on ? 'state.online' : 'state.offline'));

// The device's name in the title, renamed in place (device.control):
// the button opens a field, Enter saves, Escape gives up; "" clears it.
function aliasEditor(app, d) {
  const box = h('span', { id: 'dev-name-box' });
  const show = () => {
    const btn = app.can('device.control') ? h('button', { type: 'button', id: 'dev-rename', class: 'secondary small',
      title: t('device.rename'), 'aria-label': t('device.rename'), onclick: edit }, '✎') : null;
    box.replaceChildren(h('span', { id: 'dev-name' }, devNameEl(d)), btn ? ' ' : '', btn || '');
  };
  function edit() {
    const input = h('input', { id: 'dev-alias', type: 'text', maxlength: 64, value: d.alias || '', placeholder: d.label,
      'aria-label': t('device.alias'), 'aria-describedby': 'dev-alias-help' });
    const cancel = h('button', { type: 'button', class: 'secondary', id: 'dev-alias-cancel', onclick: () => { show(); focusRename(); } }, t('device.alias_cancel'));
    const form = h('form', { class: 'alias-form', id: 'dev-alias-form', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const nd = await patch('/devices/' + d.id, { alias: input.value.trim() });
        d.alias = nd.alias;
        show();
        focusRename();
        toast(t('device.alias_saved'));
      } catch (e) { toast(e.message, true); input.focus(); }
    } }, input, ' ', h('button', { type: 'submit', id: 'dev-alias-save' }, t('device.alias_save')), ' ', cancel,
    h('span', { class: 'muted small', id: 'dev-alias-help' }, ' ' + t('device.alias_help')));
    input.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); show(); focusRename(); } });
    box.replaceChildren(form);
    input.focus();
    input.select();
  }
  const focusRename = () => { const b = document.getElementById('dev-rename'); if (b) b.focus(); };
  show();
  return box;
}

export async function device(main, app, id) {
  const d = await get('/devices/' + id);
  const ident = Object.entries(d).filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => [t('field.' + k) === 'field.' + k ? k : t('field.' + k), h('span', { dataset: { f: k } }, fieldValue(k, v))]);
  const charts = h('div', { class: 'charts' });
  // a lifecycle move is consequential (retired devices stop alerting):
  // confirm it, with a reason that goes into the audit log and history
  let current = d.lifecycle;
  const lc = app.can('device.control') ? h('div', { class: 'toolbar' }, h('label', {}, t('col.lifecycle') + ' ',
    h('select', { id: 'dev-lifecycle', onchange: async (ev) => {
      const sel = ev.target, want = sel.value;
      sel.value = current;
      const reason = await confirmAction({ title: t('lifecycle.confirm_title'),
        text: t('lifecycle.confirm', { dev: devName(d), from: t('lc.' + current), to: t('lc.' + want) }),
        reason: t('lifecycle.reason'), ok: t('lifecycle.move') });
      if (reason === null) return;
      try {
        const nd = await put('/devices/' + id + '/lifecycle', { state: want, reason });
        current = nd.lifecycle;
        sel.value = current;
        if (ctl) ctl.update(current);
        toast(t('saved'));
      } catch (e) { toast(e.message, true); }
    } }, ['discovered', 'pending', 'commissioned', 'active', 'maintenance', 'retired']
      .map((s) => h('option', { value: s, selected: s === d.lifecycle }, t('lc.' + s)))))) : null;
  // the control actions the device's kind has (control.js)
  const ctl = await controlCard(app, d);
  const trend = d.signals.length ? trendView(d.signals) : null;
  // the score with what lowered it; links' scores beside their statistics
  const lh = new Map((d.links_health || []).map((x) => [x.id, x]));
  const healthCard = h('div', { class: 'card', id: 'dev-health' }, h('h2', {}, t('device.health'), ' ',
    d.health ? healthBadge(d.health.score, d.health.grade, { id: 'dev-health-score' }) : '-'),
  reasonList(d.health, true, 'dev-health-reasons'));
  const linkHealth = (l) => { const x = lh.get(l.id); return x ? healthBadge(x.score, x.grade, { dataset: { link: l.id } }) : '-'; };
  // (lc and chain are null where they do not apply: append() would print "null")
  main.append(...[h('h1', { id: 'dev-title' }, aliasEditor(app, d), ' ', stateBadge(d.online)), lc, ctl ? ctl.el : null,
    h('div', { class: 'cols' },
      h('div', { class: 'card' }, h('h2', {}, t('device.identity')), table([t('col.field'), t('col.value')], ident)),
      h('div', { class: 'card' }, h('h2', {}, t('device.links')),
        table([t('col.id'), t('col.kind'), t('col.period'), t('col.jitter99'), t('col.jittermax'), t('col.lost'), t('col.clock'), t('col.health')],
          d.links.map((l) => [l.id, l.frame_id !== undefined ? l.kind + ' ' + hex(l.frame_id) : l.kind, fmt(l.period_us), fmt(l.jitter_p99_us),
            fmt(l.jitter_max_us), l.lost, l.clock, linkHealth(l)])))),
    healthCard,
    d.chain ? h('div', { class: 'card' }, h('h2', {}, t('topology.chain')), chainView(d.chain)) : null,
    app.can('alert.read') ? deviceCard(app, id) : null,
    h('div', { class: 'card' }, h('h2', {}, t('device.charts')), charts),
    trend ? trend.el : null].filter(Boolean));
  if (trend) trend.load();
  let alive = true;
  // an EtherCAT slave: its port errors and DC difference as the store has
  // them (docs/diagnostics.md, History), read again with the health
  let esc = null;
  if (d.diag_series) {
    esc = new TimeChart(charts, t('device.esc'), [0, 1, 2, 3].map((p) => ({ label: t('chart.port', { p }), scale: 'err' }))
      .concat([{ label: t('chart.dc'), scale: 'dc' }]), '', { err: t('chart.errors_axis'), dc: 'ns' });
    esc.el.id = 'chart-esc';
  }
  const escLoad = async () => {
    const rows = await storedRows(ESC_SERIES.map((k) => d.diag_series[k])).catch(() => null);
    if (!alive || !rows) return;
    esc.set(rows);
    esc.el.dataset.history = String(rows.length);
  };
  if (esc) escLoad();
  const healthTimer = setInterval(async () => {
    if (esc) escLoad();
    try {
      const x = await get('/devices/' + id + '/health');
      if (!alive) return;
      healthCard.replaceChildren(h('h2', {}, t('device.health'), ' ', healthBadge(x.score, x.grade, { id: 'dev-health-score' })),
        reasonList(x, true, 'dev-health-reasons'));
      for (const l of x.links || []) {
        const el = main.querySelector('[data-link="' + l.id + '"]');
        if (el) el.replaceWith(healthBadge(l.score, l.grade, { dataset: { link: l.id } }));
      }
    } catch (e) { /* the banner says so */ }
  }, HEALTH_MS);
  const cyc = new Map();
  for (const l of d.links) {
    // period and jitter differ by orders of magnitude: one axis each
    const c = new TimeChart(charts, t('device.cycle') + ' #' + l.id, [{ label: t('col.period'), scale: 'period' },
      { label: t('col.jitter99'), scale: 'jitter' }, { label: t('col.jittermax'), scale: 'jitter' }], 'µs',
    { period: t('col.period'), jitter: t('chart.jitter_axis') });
    c.el.id = 'chart-link-' + l.id;
    cyc.set(l.id, c);
    if (l.series) linkHistory(c, l.series);
  }
  const sig = new Map();
  for (const s of d.signals) {
    const c = new TimeChart(charts, s.name + (s.unit ? ' [' + s.unit + ']' : ''), [t('chart.avg'), t('chart.min'), t('chart.max')], s.unit);
    c.el.id = 'chart-signal-' + s.id;
    sig.set(s.id, c);
    get('/signals/' + s.id + '/samples?max_points=300').then((r) => c.set(r.points.map((p) => [p[0], p[3], p[1], p[2]])))
      .catch(() => {});
  }
  // a link without new frames, or a signal without a new sample, is a gap
  // in its chart, never its last value drawn on
  const lastFrames = new Map(), lastSample = new Map();
  const off = app.onLive((live) => {
    for (const [did, on, frames, errors] of live.devices) {
      if (did !== d.id) continue;
      const b = main.querySelector('#dev-state');
      if (b) b.replaceWith(stateBadge(on));
      main.classList.toggle('dev-offline', !on);
      for (const [f, v] of [['online', on], ['frames', frames], ['errors', errors]]) {
        const el = main.querySelector('[data-f="' + f + '"]');
        if (el) el.textContent = fieldValue(f, v);
      }
    }
    for (const [lid, , period, j99, jmax, frames] of live.links) {
      const c = cyc.get(lid);
      if (!c) continue;
      const moved = !lastFrames.has(lid) || frames !== lastFrames.get(lid);
      lastFrames.set(lid, frames);
      c.push(moved ? [live.ts_ms, period, j99, jmax] : [live.ts_ms, null, null, null]);
    }
    for (const [sid, , v, ts] of live.signals) {
      const c = sig.get(sid);
      if (!c) continue;
      if (ts !== lastSample.get(sid)) c.push([ts, v, v, v]);
      else c.push([live.ts_ms, null, null, null]);
      lastSample.set(sid, ts);
    }
    liveStates(main, live);
    // signals that have never had a sample do not appear: gap them too
    for (const [sid, c] of sig) if (!live.signals.some((x) => x[0] === sid)) c.push([live.ts_ms, null, null, null]);
  });
  return () => { alive = false; clearInterval(healthTimer); off(); if (trend) trend.destroy(); for (const c of [...cyc.values(), ...sig.values(), ...(esc ? [esc] : [])]) c.destroy(); };
}

// the link's stored history (docs/diagnostics.md, History) before the
// live points: the chart shows the last ten minutes, not only since the
// page opened, and what iiotd kept across a restart
async function linkHistory(c, series) {
  try {
    const old = await storedRows([series.period_us, series.jitter_p99_us, series.jitter_max_us]);
    // the live points that came meanwhile stay after it (the chart keeps seconds)
    const live = c.data[0].map((ts, i) => [ts * 1000, c.data[1][i], c.data[2][i], c.data[3][i]]);
    if (old.length) c.set(old.concat(live.filter((p) => p[0] > old[old.length - 1][0])));
    c.el.dataset.history = String(old.length);
  } catch (e) { /* the live points still come */ }
}

// the stored series ids (undefined: none) as chart rows [ts_ms, v...],
// oldest first, a null where one has no point at that time
async function storedRows(ids) {
  const got = await Promise.all(ids.map((s) => (s ? get('/signals/' + s + '/samples?max_points=300') : { points: [] })));
  const rows = new Map();
  got.forEach((r, i) => {
    for (const p of r.points) {
      const row = rows.get(p[0]) || [p[0], ...ids.map(() => null)];
      row[i + 1] = p[3];
      rows.set(p[0], row);
    }
  });
  return [...rows.values()].sort((a, b) => a[0] - b[0]);
}

// a slave: its position, its product as its SII names it, its AL state
function tile(s) {
  return h('li', { class: s.online ? 'ok' : 'off', dataset: { dev: s.id, online: s.online ? '1' : '0', pos: s.ring_pos, al: s.al_state || '', product: s.product || '' } },
    h('a', { href: '#/device/' + s.id }, '#' + s.ring_pos), ' ', s.product ? h('span', { class: 'product' }, s.product + ' ') : '', s.al_state || '',
    s.online ? null : h('span', { class: 'tag' }, ' · ' + t('state.offline')));
}

function chainView(chain) {
  return h('ol', { class: 'chain' }, chain.slice().sort((a, b) => a.ring_pos - b.ring_pos).map(tile));
}

// topology tiles and state cells follow the live stream
function liveStates(root, live) {
  for (const [id, on] of live.devices) {
    for (const el of root.querySelectorAll('li[data-dev="' + id + '"]')) {
      if ((el.dataset.online === '1') === on) continue;
      el.replaceWith(tile({ id, online: on, ring_pos: el.dataset.pos, al_state: el.dataset.al, product: el.dataset.product }));
    }
    for (const el of root.querySelectorAll('[data-dev="' + id + '"][data-f=state]')) {
      el.textContent = t(on ? 'state.online' : 'state.offline');
      el.className = on ? 'ok' : 'off';
    }
  }
}

export async function topology(main, app) {
  const masters = (await get('/devices?kind=ecat-master')).devices;
  const pn = (await get('/devices?kind=pn-device')).devices;
  const ctl = (await get('/devices?kind=pn-controller')).devices;
  const state = (d) => h('span', { class: d.online ? 'ok' : 'off', dataset: { dev: d.id, f: 'state' } }, t(d.online ? 'state.online' : 'state.offline'));
  main.append(h('h1', {}, t('nav.topology')));
  await topologyDrawing(main);
  main.append(h('h2', {}, t('topology.ecat')));
  for (const m of masters) {
    const d = await get('/devices/' + m.id);
    main.append(h('div', { class: 'card' }, h('h3', {}, h('a', { href: '#/device/' + m.id }, m.label), ' ', state(m)), chainView(d.chain || [])));
  }
  if (!masters.length) main.append(h('p', {}, t('topology.none')));
  main.append(h('h2', {}, t('topology.pn')),
    table([t('col.name'), t('col.kind'), t('field.ip'), t('field.mac'), t('field.vendor_id'), t('field.device_id'), t('col.state')],
      [...ctl, ...pn].map((d) => [h('a', { href: '#/device/' + d.id }, d.station_name || d.label), t('kind.' + d.kind), d.ip || '-',
        d.mac || '-', fieldValue('vendor_id', d.vendor_id), fieldValue('device_id', d.device_id), state(d)])));
  return app.onLive((live) => liveStates(main, live));
}
