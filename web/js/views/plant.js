// The plant: overview, device inventory, device detail, topology.
import { get, put } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t } from '../i18n.js';
import { TimeChart } from '../chart.js';
import { confirmAction } from '../dialog.js';

const fmt = (v, d) => (v === undefined || v === null ? '-' : Number(v).toFixed(d === undefined ? 1 : d));

function stat(label, value, id) {
  return h('div', { class: 'stat' }, h('div', { class: 'v', id }, String(value)), h('div', { class: 'l' }, label));
}

// Frames the NIC lost before the capture path saw them; '-' where the
// source does not report NIC counters (all four are then 0).
function nicLost(r) {
  if (r.nic_packets === undefined || !(r.nic_packets || r.nic_missed || r.nic_nombuf)) return '-';
  const lost = (r.nic_missed || 0) + (r.nic_nombuf || 0);
  return h('span', { class: lost ? 'off' : '' }, lost);
}

export async function overview(main, app) {
  if (!app.can('device.read')) { main.append(h('p', { class: 'card' }, t('overview.norights'))); return null; }
  const o = await get('/overview');
  const c = (o.capture && o.capture.model) || {};
  const st = (o.capture && o.capture.store) || {};
  main.append(h('h1', {}, t('nav.overview')),
    h('div', { class: 'stats' },
      stat(t('overview.devices'), o.devices, 'ov-devices'),
      stat(t('overview.online'), o.devices_online, 'ov-online'),
      stat(t('overview.links'), o.links, 'ov-links'),
      stat(t('overview.signals'), o.signals, 'ov-signals')),
    h('div', { class: 'card' }, h('h2', {}, t('overview.health')),
      h('div', { class: 'stats' },
        stat(t('overview.frames'), c.frames || 0, 'ov-frames'),
        stat(t('overview.lost'), c.lost_frames || 0, 'ov-lost'),
        stat(t('overview.wkc'), c.wkc_errors || 0, 'ov-wkc'),
        stat(t('overview.alarms'), c.alarms || 0, 'ov-alarms'),
        stat(t('overview.dropped'), (st.samples_dropped || 0) + (c.samples_dropped || 0), 'ov-dropped'))),
    h('div', { class: 'card', id: 'ov-rings' }, h('h2', {}, t('overview.rings')),
      table([t('col.ring'), t('col.records'), t('col.drops'), t('col.nic_lost'), t('col.corrupt'), t('col.fill')],
        (o.capture.rings || []).map((r) => [r.ring || r.name, r.records, h('span', { class: r.drops ? 'off' : '' }, r.drops),
          nicLost(r), r.corrupt, r.fill === undefined ? '-' : String(r.fill)]))),
    h('div', { class: 'card' }, h('h2', {}, t('overview.kinds')),
      table([t('col.kind'), t('col.count')], Object.entries(o.by_kind).map(([k, n]) => [t('kind.' + k), n]))));
  return app.onLive((d) => {
    const k = d.counters || {};
    const set = (id, v) => { const el = document.getElementById(id); if (el && v !== undefined) el.textContent = String(v); };
    set('ov-devices', k.devices); set('ov-online', k.devices_online); set('ov-links', k.links);
    set('ov-frames', k.frames); set('ov-lost', k.lost_frames); set('ov-wkc', k.wkc_errors); set('ov-alarms', k.alarms);
  });
}

export async function devices(main, app) {
  const q = h('input', { type: 'search', id: 'dev-search', 'data-i18n-ph': 'devices.search' });
  const state = h('select', { id: 'dev-state' }, h('option', { value: '' }, t('devices.any')),
    h('option', { value: 'online' }, t('state.online')), h('option', { value: 'offline' }, t('state.offline')));
  const kind = h('select', { id: 'dev-kind' }, h('option', { value: '' }, t('devices.any')),
    ['ecat-master', 'ecat-slave', 'pn-controller', 'pn-device', 'unknown'].map((k) => h('option', { value: k }, t('kind.' + k))));
  const list = h('div', { id: 'dev-list' });
  const count = h('span', { id: 'dev-count' });
  let rows = [];
  async function load() {
    const p = new URLSearchParams();
    if (q.value) p.set('q', q.value);
    if (state.value) p.set('state', state.value);
    if (kind.value) p.set('kind', kind.value);
    const r = await get('/devices?' + p.toString());
    rows = r.devices;
    count.textContent = t('devices.count', { n: r.total });
    list.replaceChildren(table([t('col.id'), t('col.name'), t('col.kind'), t('col.lifecycle'), t('col.state'), t('col.frames'), t('col.errors')],
      rows.map((d) => [d.id, h('a', { href: '#/device/' + d.id }, d.label), t('kind.' + d.kind), t('lc.' + d.lifecycle),
        h('span', { class: d.online ? 'ok' : 'off', dataset: { dev: d.id, f: 'state' } }, t(d.online ? 'state.online' : 'state.offline')),
        h('span', { dataset: { dev: d.id, f: 'frames' } }, d.frames), h('span', { dataset: { dev: d.id, f: 'errors' } }, d.errors)]),
      (i) => ({ class: 'dev-row', dataset: { id: rows[i].id } })));
  }
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  state.addEventListener('change', load);
  kind.addEventListener('change', load);
  main.append(h('h1', {}, t('nav.devices')), h('div', { class: 'toolbar' },
    h('label', {}, t('devices.find') + ' ', q), h('label', {}, t('col.state') + ' ', state), h('label', {}, t('col.kind') + ' ', kind), count), list);
  await load();
  let known = rows.length;
  return app.onLive((d) => {
    for (const [id, online, frames, errors] of d.devices) {
      for (const el of list.querySelectorAll('[data-dev="' + id + '"]')) {
        if (el.dataset.f === 'state') { el.textContent = t(online ? 'state.online' : 'state.offline'); el.className = online ? 'ok' : 'off'; }
        if (el.dataset.f === 'frames') el.textContent = frames;
        if (el.dataset.f === 'errors') el.textContent = errors;
      }
    }
    // new devices: reload the list (filters are applied by the server)
    if (!q.value && !state.value && !kind.value && d.devices.length !== known) { known = d.devices.length; load(); }
  });
}

const SKIP = new Set(['links', 'signals', 'chain', 'id', 'label']);

export async function device(main, app, id) {
  const d = await get('/devices/' + id);
  const ident = Object.entries(d).filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => [t('field.' + k), k.endsWith('_ns') ? fmtTime(v / 1e6) : Array.isArray(v) ? v.join(', ') : String(v)]);
  const charts = h('div', { class: 'charts' });
  // a lifecycle move is consequential (retired devices stop alerting):
  // confirm it, with a reason that goes into the audit log and history
  let current = d.lifecycle;
  const lc = app.can('device.control') ? h('div', { class: 'toolbar' }, h('label', {}, t('col.lifecycle') + ' ',
    h('select', { id: 'dev-lifecycle', onchange: async (ev) => {
      const sel = ev.target, want = sel.value;
      sel.value = current;
      const reason = await confirmAction({ title: t('lifecycle.confirm_title'),
        text: t('lifecycle.confirm', { dev: d.label, from: t('lc.' + current), to: t('lc.' + want) }),
        reason: t('lifecycle.reason'), ok: t('lifecycle.move') });
      if (reason === null) return;
      try {
        const nd = await put('/devices/' + id + '/lifecycle', { state: want, reason });
        current = nd.lifecycle;
        sel.value = current;
        toast(t('saved'));
      } catch (e) { toast(e.message, true); }
    } }, ['discovered', 'pending', 'commissioned', 'active', 'maintenance', 'retired']
      .map((s) => h('option', { value: s, selected: s === d.lifecycle }, t('lc.' + s)))))) : null;
  main.append(h('h1', { id: 'dev-title' }, d.label), lc,
    h('div', { class: 'cols' },
      h('div', { class: 'card' }, h('h2', {}, t('device.identity')), table([t('col.field'), t('col.value')], ident)),
      h('div', { class: 'card' }, h('h2', {}, t('device.links')),
        table([t('col.id'), t('col.kind'), t('col.period'), t('col.jitter99'), t('col.jittermax'), t('col.lost'), t('col.clock')],
          d.links.map((l) => [l.id, l.kind, fmt(l.period_us), fmt(l.jitter_p99_us), fmt(l.jitter_max_us), l.lost, l.clock])))),
    d.chain ? h('div', { class: 'card' }, h('h2', {}, t('topology.chain')), chainView(d.chain)) : null,
    h('div', { class: 'card' }, h('h2', {}, t('device.charts')), charts));
  const cyc = new Map();
  for (const l of d.links) {
    const c = new TimeChart(charts, t('device.cycle') + ' #' + l.id, [t('col.period'), t('col.jitter99'), t('col.jittermax')], 'µs');
    c.el.id = 'chart-link-' + l.id;
    cyc.set(l.id, c);
  }
  const sig = new Map();
  for (const s of d.signals) {
    const c = new TimeChart(charts, s.name + (s.unit ? ' [' + s.unit + ']' : ''), [t('chart.avg'), t('chart.min'), t('chart.max')], s.unit);
    c.el.id = 'chart-signal-' + s.id;
    sig.set(s.id, c);
    get('/signals/' + s.id + '/samples?max_points=300').then((r) => c.set(r.points.map((p) => [p[0], p[3], p[1], p[2]])))
      .catch(() => {});
  }
  const off = app.onLive((live) => {
    for (const [lid, , period, j99, jmax] of live.links) {
      const c = cyc.get(lid);
      if (c) c.push([live.ts_ms, period, j99, jmax]);
    }
    for (const [sid, , v, ts] of live.signals) {
      const c = sig.get(sid);
      if (c) c.push([ts, v, v, v]);
    }
  });
  return () => { off(); for (const c of [...cyc.values(), ...sig.values()]) c.destroy(); };
}

function chainView(chain) {
  return h('ol', { class: 'chain' }, chain.slice().sort((a, b) => a.ring_pos - b.ring_pos).map((s) =>
    h('li', { class: s.online ? 'ok' : 'off', dataset: { dev: s.id } }, h('a', { href: '#/device/' + s.id }, '#' + s.ring_pos), ' ', s.al_state || '',
      s.online ? null : h('span', { class: 'tag' }, ' · ' + t('state.offline')))));
}

export async function topology(main) {
  const masters = (await get('/devices?kind=ecat-master')).devices;
  const pn = (await get('/devices?kind=pn-device')).devices;
  const ctl = (await get('/devices?kind=pn-controller')).devices;
  main.append(h('h1', {}, t('nav.topology')), h('h2', {}, t('topology.ecat')));
  for (const m of masters) {
    const d = await get('/devices/' + m.id);
    main.append(h('div', { class: 'card' }, h('h3', {}, h('a', { href: '#/device/' + m.id }, m.label)), chainView(d.chain || [])));
  }
  if (!masters.length) main.append(h('p', {}, t('topology.none')));
  main.append(h('h2', {}, t('topology.pn')),
    table([t('col.name'), t('col.kind'), t('field.ip'), t('field.mac'), t('field.vendor_id'), t('field.device_id'), t('col.state')],
      [...ctl, ...pn].map((d) => [h('a', { href: '#/device/' + d.id }, d.station_name || d.label), t('kind.' + d.kind), d.ip || '-',
        d.mac || '-', d.vendor_id === undefined ? '-' : '0x' + d.vendor_id.toString(16), d.device_id === undefined ? '-' : '0x' + d.device_id.toString(16),
        t(d.online ? 'state.online' : 'state.offline')])));
  return null;
}
