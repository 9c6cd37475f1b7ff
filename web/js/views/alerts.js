// The alert console (docs/security.md): filters, the list with live
// updates, acknowledge / shelve / unshelve with a comment, and an alert's
// detail with its evidence frames, pcap download and history.
import { del, get, post, put } from '../api.js';
import { h, table, toast, devNameEl } from '../dom.js';
import { TimeChart } from '../chart.js';
import { t, currentLang } from '../i18n.js';

const STATES = ['open', 'active-unack', 'active-ack', 'cleared-unack', 'normal', ''];
const SEVS = ['', 'info', 'warning', 'critical'];

function fmtNs(ns) {
  if (!ns) return '-';
  return new Date(Math.floor(ns / 1e6)).toISOString().replace('T', ' ').slice(0, 23);
}

function message(a) {
  return currentLang() === 'zh-CN' ? a.message_zh : a.message;
}

export function sevBadge(sev) {
  return h('span', { class: 'sev sev-' + sev }, t('alerts.sev.' + sev));
}

function stateLabel(a) {
  const s = t('alerts.state.' + a.state);
  return a.shelved_until_ns ? s + ' · ' + t('alerts.isshelved') : s;
}

// Acknowledge, shelve, unshelve: one comment box serves them all.
function actions(a, app, done) {
  if (!app.can('alert.ack') || a.state === 'normal') return '';
  const note = h('input', { class: 'comment', placeholder: t('alerts.comment'), maxlength: 159 });
  const mins = h('select', { class: 'minutes' }, [30, 60, 240, 480, 1440].map((m) => h('option', { value: m }, t('alerts.minutes', { n: m }))));
  async function act(what, body) {
    try {
      await post('/alerts/' + a.id + '/' + what, body);
      toast(t('saved'));
      done();
    } catch (e) { toast(e.message, true); }
  }
  const c = () => (note.value ? { comment: note.value } : {});
  return h('span', { class: 'actions' }, note,
    a.state !== 'active-ack' ? h('button', { class: 'ack', onclick: () => act('ack', c()) }, t('alerts.ack')) : '',
    a.shelved_until_ns ?
      h('button', { class: 'unshelve', onclick: () => act('unshelve', c()) }, t('alerts.unshelve')) :
      h('span', {}, mins, h('button', { class: 'shelve', onclick: () => {
        if (!note.value) { toast(t('alerts.needreason'), true); note.focus(); return; }
        act('shelve', { minutes: Number(mins.value), comment: note.value });
      } }, t('alerts.shelve'))));
}

// The XDP blocklist (docs/security.md, Enforcement): whether iiot can
// block here, the blocks with their reason, expiry and frames dropped;
// admins unblock and turn enforcement on (with MFA) or off.
function blocksSection(app) {
  const status = h('p', { id: 'block-status' });
  const body = h('div', { id: 'block-list' });
  const admin = app.can('enforce.admin');
  async function load() {
    const r = await get('/blocks');
    const mode = t('blocks.mode.' + r.mode) + ' · ' + t(r.enabled ? 'blocks.on' : 'blocks.off');
    status.replaceChildren(h('span', { class: 'block-mode' }, mode), r.reason ? ' — ' + r.reason : '',
      admin && r.can_block ? h('button', { id: 'block-toggle', onclick: async () => {
        try { await put('/enforcement', { enabled: !r.enabled }); toast(t('saved')); load(); } catch (e) { toast(e.message, true); }
      } }, t(r.enabled ? 'blocks.turnoff' : 'blocks.turnon')) : '');
    if (!r.blocks.length) { body.replaceChildren(h('p', { class: 'empty' }, t('blocks.none'))); return; }
    body.replaceChildren(table(
      [t('blocks.mac'), t('blocks.source'), t('blocks.reason'), t('blocks.expires'), t('blocks.dropped'), ''],
      r.blocks.map((b) => [h('code', {}, b.mac), t('blocks.src.' + b.source), b.reason,
        b.expires_ms ? fmtNs(b.expires_ms * 1e6) : t('blocks.never'), b.hits,
        admin ? h('button', { class: 'unblock', onclick: async () => {
          try { await del('/blocks/' + b.mac.replaceAll(':', '-')); toast(t('saved')); load(); } catch (e) { toast(e.message, true); }
        } }, t('blocks.unblock')) : '']),
      (i) => ({ class: 'block-row', dataset: { mac: r.blocks[i].mac } })));
  }
  load().catch((e) => status.replaceChildren(e.message));
  return { el: h('section', { id: 'blocks' }, h('h2', {}, t('blocks.title')), status, body), load };
}

export async function list(main, app) {
  const rules = (await get('/alerts/rules')).rules;
  const f = h('form', { class: 'toolbar', id: 'alert-filter', onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('select', { name: 'state' }, STATES.map((s) => h('option', { value: s }, s ? t('alerts.state.' + s) : t('alerts.all')))),
    h('select', { name: 'severity' }, SEVS.map((s) => h('option', { value: s }, s ? t('alerts.atleast', { sev: t('alerts.sev.' + s) }) : t('alerts.anysev')))),
    h('select', { name: 'rule' }, h('option', { value: '' }, t('alerts.anyrule')), rules.map((r) => h('option', { value: r.id }, r.id))),
    h('input', { name: 'device', type: 'number', min: 1, placeholder: t('alerts.deviceid') }),
    h('button', { type: 'submit' }, t('alerts.filter')));
  for (const el of f.querySelectorAll('select')) el.addEventListener('change', () => load());
  const counts = h('div', { class: 'cards', id: 'alert-counts' });
  const body = h('div', { id: 'alert-list' });

  async function load() {
    const q = new URLSearchParams();
    for (const k of ['state', 'severity', 'rule', 'device']) if (f[k].value) q.set(k, f[k].value);
    q.set('limit', '200');
    const r = await get('/alerts?' + q.toString());
    counts.replaceChildren(...['critical', 'warning', 'info'].map((s) =>
      h('div', { class: 'card sev-card sev-' + s }, h('div', { class: 'big' }, r.counts[s]), t('alerts.sev.' + s))));
    if (!r.alerts.length) { body.replaceChildren(h('p', { class: 'empty' }, t('alerts.none'))); return; }
    body.replaceChildren(table(
      [t('col.id'), t('alerts.first'), t('alerts.severity'), t('col.state'), t('alerts.rule'), t('alerts.device'), t('alerts.message'), t('alerts.count'), ''],
      r.alerts.map((a) => [h('a', { href: '#/alert/' + a.id }, String(a.id)), fmtNs(a.ts_ns), sevBadge(a.severity), stateLabel(a),
        h('code', {}, a.rule), a.device_id ? h('a', { href: '#/device/' + a.device_id }, a.device ? devNameEl({ alias: a.device_alias, label: a.device }) : String(a.device_id)) : (a.device || '-'),
        message(a), a.count, actions(a, app, load)]),
      (i) => ({ class: 'alert-row st-' + r.alerts[i].state, dataset: { id: r.alerts[i].id } })));
  }
  // live updates re-render the list, but never under an operator typing
  // a comment: they wait until the comment is sent or abandoned
  let timer = null;
  function busy() {
    return [...body.querySelectorAll('input.comment')].some((i) => i.value || i === document.activeElement);
  }
  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { if (busy()) later(1000); else load().catch(() => {}); }, ms);
  }
  const blocks = blocksSection(app);
  const off = app.onAlert(() => { later(300); blocks.load().catch(() => {}); });
  main.append(h('h1', {}, t('nav.alerts')), counts, f, body, blocks.el);
  await load();
  return () => { off(); clearTimeout(timer); };
}

// A predicted alert's evidence: its fitted line from the first sample to
// where it reaches the threshold, the threshold level beside it (the
// alert's fit, docs/openapi.yaml AlertFit).
function fitValue(f, ns) {
  return f.v0 + f.slope_per_s * (ns - f.t0_ns) / 1e9;
}

function fitChart(parent, f) {
  const u = (v) => Number(v.toPrecision(4)) + (f.unit.startsWith('/') ? '' : ' ') + f.unit;
  // no crossing within reach: the line as far as it was fitted
  const end = f.cross_ns || f.last_ns;
  const c = new TimeChart(parent, f.metric + ' [' + f.unit + ']', [t('alerts.fit.line'), t('alerts.fit.threshold')], f.unit);
  c.el.id = 'alert-fit';
  const pts = [f.t0_ns, f.last_ns, end].filter((ns, i, all) => !i || ns > all[i - 1]);
  c.set(pts.map((ns) => [ns / 1e6, fitValue(f, ns), f.threshold]));
  c.el.dataset.threshold = String(f.threshold);
  c.el.dataset.cross = String(f.cross_ns || 0);
  let text = t('alerts.fit.text', { metric: f.metric, n: f.samples, v0: u(f.v0), t0: fmtNs(f.t0_ns),
    slope: u(f.slope_per_s * 60), thr: u(f.threshold), at: fmtNs(f.cross_ns) });
  if (f.cross_lo_ns || f.cross_hi_ns) text += t('alerts.fit.between', { lo: fmtNs(f.cross_lo_ns), hi: fmtNs(f.cross_hi_ns) });
  parent.append(h('p', { id: 'alert-fit-text' }, text));
  return c;
}

export async function detail(main, app, id) {
  const box = h('div', { id: 'alert-detail' });
  let chart = null;
  async function load() {
    const a = await get('/alerts/' + id);
    const kv = [
      [t('alerts.rule'), h('code', {}, a.rule)],
      [t('alerts.severity'), sevBadge(a.severity)],
      [t('col.state'), stateLabel(a)],
      [t('alerts.message'), message(a)],
      [t('alerts.detail'), a.detail || '-'],
      [t('alerts.outcome'), a.note || '-'],
      [t('alerts.technique'), a.technique ? a.technique + ' ' + (a.technique_name || '') : '-'],
      [t('alerts.device'), a.device_id ? h('a', { href: '#/device/' + a.device_id }, a.device ? devNameEl({ alias: a.device_alias, label: a.device }) : String(a.device_id)) : (a.device || '-')],
      [t('alerts.src'), a.src_mac || '-'], [t('alerts.dst'), a.dst_mac || '-'],
      [t('alerts.first'), fmtNs(a.ts_ns)], [t('alerts.last'), fmtNs(a.last_ns)],
      [t('alerts.count'), a.count],
      [t('alerts.acked'), a.ack_by ? a.ack_by + ' · ' + fmtNs(a.ack_ns) : '-'],
      [t('alerts.shelved'), a.shelved_until_ns ? fmtNs(a.shelved_until_ns) : '-'],
    ];
    if (chart) chart.destroy();
    chart = null;
    const fitBox = a.fit ? h('div', { class: 'card' }, h('h3', {}, t('alerts.fit'))) : '';
    box.replaceChildren(
      h('h1', {}, t('alerts.title', { id: a.id })),
      h('dl', { class: 'kv' }, kv.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      actions(a, app, load),
      h('h2', {}, t('alerts.evidence')),
      table([t('alerts.frame'), t('col.time')], a.evidence.map((e) => [e.frame || '-', fmtNs(e.ts_ns)])),
      fitBox,
      h('p', {}, h('a', { class: 'button', id: 'alert-pcap', href: '/api/v1/alerts/' + a.id + '/pcap', download: 'alert-' + a.id + '.pcap' }, t('alerts.pcap'))),
      h('h2', {}, t('alerts.history')),
      table([t('col.time'), t('alerts.event'), t('col.state'), t('col.user'), t('alerts.comment')],
        (a.history || []).map((x) => [fmtNs(x.ts_ns), t('alerts.ev.' + x.event), t('alerts.state.' + x.state), x.who || '-', x.comment || ''])));
    // drawn once in the page: uPlot takes its card's width
    if (a.fit) chart = fitChart(fitBox, a.fit);
  }
  const off = app.onAlert((ev) => { if (ev.alert && String(ev.alert.id) === String(id)) load().catch(() => {}); });
  main.append(box);
  await load();
  return () => { off(); if (chart) chart.destroy(); };
}

// The header's active counts by severity, kept current by alert events;
// called again when the live stream reconnects (the counts are fetched
// anew, the subscription stays one).
let barSub = null;
export function topbar(app) {
  const el = document.getElementById('alertbar');
  if (!el) return;
  function show(c) {
    el.replaceChildren(...['critical', 'warning', 'info'].filter((s) => c[s]).map((s) =>
      h('a', { href: '#/alerts', class: 'sev sev-' + s, title: t('alerts.sev.' + s) }, String(c[s]))));
  }
  el.hidden = !app.can('alert.read');
  if (el.hidden) return;
  get('/alerts/counts').then(show).catch(() => {});
  if (!barSub) barSub = app.onAlert((ev) => { if (ev.counts) show(ev.counts); });
}

// A device page's card: that device's alerts, newest first, kept current.
export function deviceCard(app, id) {
  const body = h('div', { id: 'dev-alerts' }, t('alerts.loading'));
  async function load() {
    const r = await get('/alerts?limit=50&device=' + encodeURIComponent(id));
    body.replaceChildren(r.alerts.length ? table(
      [t('col.id'), t('alerts.first'), t('alerts.severity'), t('col.state'), t('alerts.rule'), t('alerts.message'), t('alerts.count')],
      r.alerts.map((a) => [h('a', { href: '#/alert/' + a.id }, String(a.id)), fmtNs(a.ts_ns), sevBadge(a.severity), stateLabel(a),
        h('code', {}, a.rule), message(a), a.count])) : h('p', { class: 'empty' }, t('alerts.none')));
  }
  load().catch((e) => body.replaceChildren(e.message));
  const off = app.onAlert((ev) => { if (ev.alert && String(ev.alert.device_id) === String(id)) load().catch(() => {}); });
  // the card leaves with the page; its subscription with the next alert
  const card = h('div', { class: 'card' }, h('h2', {}, t('nav.alerts')), body);
  const gone = new MutationObserver(() => { if (!card.isConnected) { off(); gone.disconnect(); } });
  gone.observe(document.getElementById('view'), { childList: true });
  return card;
}
