// The device inventory: search, labelled filters, sorting by any column
// and paging are done by iiotd (GET /devices); the filters live in the
// URL (#/devices?state=offline&sort=-errors), so links from the overview
// and a return after sign-in land on the same view.  Live updates touch
// only the cells whose value changed.
import { get } from '../api.js';
import { h, fmtTime, devNameEl } from '../dom.js';
import { t } from '../i18n.js';
import { fieldValue } from '../format.js';
import { healthBadge } from '../health.js';

const KINDS = ['ecat-master', 'ecat-slave', 'pn-controller', 'pn-device', 'modbus', 'mqtt', 'unknown'];
const LCS = ['discovered', 'pending', 'commissioned', 'active', 'maintenance', 'retired'];
const SIZES = [50, 100, 200, 500];
const FILTERS = ['q', 'kind', 'state', 'lifecycle', 'parent', 'sort', 'offset', 'limit'];

// [column, label key, cell]
const COLS = [
  ['id', 'col.id', (d) => d.id],
  ['label', 'col.name', (d) => h('a', { href: '#/device/' + d.id }, devNameEl(d))],
  ['kind', 'col.kind', (d) => t('kind.' + d.kind)],
  ['lifecycle', 'col.lifecycle', (d) => t('lc.' + d.lifecycle)],
  ['online', 'col.state', (d) => stateCell(d.id, d.online)],
  ['station_addr', 'col.address', (d) => address(d)],
  ['frames', 'col.frames', (d) => h('span', { dataset: { dev: d.id, f: 'frames' } }, d.frames)],
  ['errors', 'col.errors', (d) => h('span', { dataset: { dev: d.id, f: 'errors' } }, d.errors)],
  ['health', 'col.health', (d) => healthBadge(d.health, d.health_grade, { dataset: { dev: d.id, f: 'health' } })],
  ['last_seen_ns', 'col.last_seen', (d) => fmtTime(d.last_seen_ns / 1e6)],
];

const stateCell = (id, on) => h('span', { class: on ? 'ok' : 'off', dataset: { dev: id, f: 'state' } }, t(on ? 'state.online' : 'state.offline'));

// the address an engineer looks for: station address, IP or MAC
function address(d) {
  if (d.station_addr !== undefined) return fieldValue('station_addr', d.station_addr);
  return d.ip || d.mac || '-';
}

function select(id, label, values, name) {
  const s = h('select', { id }, h('option', { value: '' }, t('devices.any')), values.map((v) => h('option', { value: v }, name(v))));
  return [h('label', { for: id }, label), s];
}

export async function devices(main, app, query) {
  const p = new URLSearchParams(query || '');
  const q = h('input', { type: 'search', id: 'dev-search', placeholder: t('devices.search'), value: p.get('q') || '' });
  const [kindL, kind] = select('dev-kind', t('col.kind'), KINDS, (k) => t('kind.' + k));
  const [stateL, state] = select('dev-state', t('col.state'), ['online', 'offline'], (s) => t('state.' + s));
  const [lcL, lc] = select('dev-lifecycle-filter', t('col.lifecycle'), LCS, (s) => t('lc.' + s));
  const size = h('select', { id: 'dev-size' }, SIZES.map((n) => h('option', { value: n }, String(n))));
  kind.value = p.get('kind') || ''; state.value = p.get('state') || ''; lc.value = p.get('lifecycle') || '';
  size.value = String(SIZES.includes(Number(p.get('limit'))) ? Number(p.get('limit')) : 100);
  const parent = p.get('parent') || '';
  let sort = p.get('sort') || 'id';
  let offset = Number(p.get('offset')) || 0;
  const count = h('span', { id: 'dev-count', role: 'status' });
  const prev = h('button', { id: 'dev-prev', type: 'button', class: 'secondary' }, t('devices.prev'));
  const next = h('button', { id: 'dev-next', type: 'button', class: 'secondary' }, t('devices.next'));
  const csv = h('a', { id: 'dev-csv', class: 'button', download: 'iiot-devices.csv' }, t('devices.csv'));
  const thead = h('thead', {});
  const tbody = h('tbody', {});
  const list = h('div', { id: 'dev-list' }, h('table', { class: 'grid' }, thead, tbody));
  let total = 0, known = -1, alive = true;
  // the URL as this view last left it: another one means the user went on,
  // possibly before the router has run (the hash is set before hashchange)
  let ownHash = location.hash;
  const shown = new Map();	// id -> [online, frames, errors] as displayed

  function params(page) {
    const o = new URLSearchParams();
    if (q.value) o.set('q', q.value);
    if (kind.value) o.set('kind', kind.value);
    if (state.value) o.set('state', state.value);
    if (lc.value) o.set('lifecycle', lc.value);
    if (parent) o.set('parent', parent);
    o.set('sort', sort);
    if (page) { if (offset) o.set('offset', offset); o.set('limit', size.value); }
    return o;
  }

  function header() {
    thead.replaceChildren(h('tr', {}, COLS.map(([c, key]) => {
      const dir = sort === c ? 'ascending' : sort === '-' + c ? 'descending' : null;
      return h('th', { 'aria-sort': dir || 'none' }, h('button', { type: 'button', class: 'sort', dataset: { col: c },
        onclick: () => { sort = sort === c ? '-' + c : c; offset = 0; load(); } }, t(key), dir ? (dir === 'ascending' ? ' ▲' : ' ▼') : ''));
    })));
  }

  let latest = 0;
  async function load() {
    const qs = params(true);
    const mine = ++latest;
    let r;
    try {
      r = await get('/devices?' + qs.toString());
    } catch (e) {
      // a busy server (503) or a dropped connection: ask again shortly
      if (alive && mine === latest && !(e.status >= 400 && e.status < 500)) setTimeout(() => { if (alive && list.isConnected && mine === latest) load(); }, 1000);
      throw e;
    }
    // the user has moved on (maybe before this view finished loading, so
    // before the router could stop it): the URL is theirs now
    if (!alive || !list.isConnected || location.hash !== ownHash) return;
    // lists render on a thread of their own: an older question answered
    // after a newer one must not replace it
    if (mine !== latest) return;
    // the view is in the URL without a new history entry per keystroke
    history.replaceState(null, '', '#/devices' + (qs.toString() ? '?' + qs.toString() : ''));
    ownHash = location.hash;
    total = r.total;
    shown.clear();
    header();
    tbody.replaceChildren(...r.devices.map((d) => {
      shown.set(d.id, [d.online, d.frames, d.errors]);
      return h('tr', { class: 'dev-row', dataset: { id: d.id } }, COLS.map(([, , cell]) => h('td', {}, cell(d))));
    }));
    const from = r.devices.length ? offset + 1 : 0;
    count.textContent = t('devices.range', { from, to: offset + r.devices.length, n: total });
    prev.disabled = offset === 0;
    next.disabled = offset + r.devices.length >= total;
    const e = params(false);
    e.set('format', 'csv');
    csv.href = '/api/v1/devices?' + e.toString();
  }

  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { offset = 0; load(); }, 250); });
  for (const s of [kind, state, lc, size]) s.addEventListener('change', () => { offset = 0; load(); });
  prev.addEventListener('click', () => { offset = Math.max(0, offset - Number(size.value)); load(); });
  next.addEventListener('click', () => { offset += Number(size.value); load(); });
  main.append(h('h1', {}, t('nav.devices')),
    h('div', { class: 'toolbar' }, h('label', { for: 'dev-search' }, t('devices.find')), q, kindL, kind, stateL, state, lcL, lc,
      parent ? h('span', { class: 'tag', id: 'dev-parent' }, t('devices.of_master', { id: parent }), ' ',
        h('a', { href: '#/devices' }, t('devices.clear'))) : null),
    list,
    h('div', { class: 'toolbar pager' }, prev, next, count, h('label', { for: 'dev-size' }, t('devices.per_page')), size, csv));
  await load();
  const off = app.onLive((d) => {
    for (const [id, online, frames, errors] of d.devices) {
      const was = shown.get(id);
      if (!was) continue;
      if (was[0] !== online) { const el = tbody.querySelector('[data-dev="' + id + '"][data-f=state]'); if (el) el.replaceWith(stateCell(id, online)); }
      if (was[1] !== frames) { const el = tbody.querySelector('[data-dev="' + id + '"][data-f=frames]'); if (el) el.textContent = frames; }
      if (was[2] !== errors) { const el = tbody.querySelector('[data-dev="' + id + '"][data-f=errors]'); if (el) el.textContent = errors; }
      shown.set(id, [online, frames, errors]);
    }
    // devices appeared or went: the server pages and filters, ask again
    if (known >= 0 && d.devices.length !== known) load();
    known = d.devices.length;
  });
  return () => { alive = false; off(); };
}
