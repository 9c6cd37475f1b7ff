// Process analytics in the UI (docs/analytics.md): the OEE board per line
// with the stops and their reasons, the downtime Pareto and the reports.
// The rule editor is views/rules.js.
import { get, put } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';

const pct = (v) => (v === null || v === undefined ? '-' : (v * 100).toFixed(1) + '%');
const mins = (ms) => (ms / 60000).toFixed(1);

function figure(label, v, cls) {
  return h('div', { class: 'oee-fig ' + (cls || '') }, h('span', { class: 'oee-label' }, label), h('b', {}, pct(v)));
}

// set through the CSSOM: the CSP refuses style attributes
function bar(f) {
  const b = h('span', { class: 'bar' });
  b.style.width = Math.round(200 * f) + 'px';
  return b;
}

export async function oee(main, app) {
  const now = await get('/oee');
  const reasons = now.reasons;
  const rname = (c) => { const r = reasons.find((x) => x.code === c); return r ? (currentLang() === 'zh-CN' ? r.zh : r.en) : c; };
  const board = h('div', { id: 'oee-board' });
  const stops = h('div', { id: 'oee-stops' });
  const pareto = h('div', { id: 'oee-pareto' });
  const period = h('select', { id: 'oee-period' }, ['shift', 'day', 'week'].map((p) => h('option', { value: p }, t('oee.period.' + p))));
  const links = h('span', {});
  main.append(h('h1', {}, t('oee.title')), board,
    h('div', { class: 'card' }, h('h2', {}, t('oee.stops')), stops),
    h('div', { class: 'card' }, h('h2', {}, t('oee.pareto')), pareto),
    h('div', { class: 'card toolbar' }, h('h2', {}, t('oee.reports')), period, links));

  function drawBoard(o) {
    const lines = [...new Set(o.machines.map((m) => m.line))];
    board.replaceChildren(...(o.machines.length ? lines.map((l) => h('div', { class: 'card oee-line', dataset: { line: l } },
      h('h2', {}, t('oee.line', { line: l })),
      o.machines.filter((m) => m.line === l).map((m) => {
        const c = m.current;
        return h('div', { class: 'oee-machine band-' + (c.band || 'none'), dataset: { machine: m.name, oee: c.oee === null ? '' : String(c.oee), band: c.band || '' } },
          h('h3', {}, m.name, ' ', h('span', { class: 'tag state-' + m.state }, t('oee.state.' + m.state))),
          figure('OEE', c.oee, 'big'), figure(t('oee.availability'), c.availability),
          figure(t('oee.performance'), c.performance), figure(t('oee.quality'), c.quality),
          h('p', {}, t('oee.counts', { count: c.count, reject: c.reject, shift: c.shift || '-', down: mins(c.down_ms) })));
      }))) : [h('p', { class: 'card', id: 'oee-none' }, t('oee.none'))]));
  }

  async function loadStops() {
    const s = (await get('/oee/downtime?limit=50')).stops;
    stops.replaceChildren(table([t('oee.machine'), t('oee.start'), t('oee.minutes'), t('oee.kind'), t('oee.reason'), ''],
      s.map((x) => {
        const pick = h('select', { class: 'reason-pick' }, h('option', { value: '' }, t('oee.noreason')),
          reasons.map((r) => h('option', { value: r.code }, r.group + ' / ' + r.code + ' ' + (currentLang() === 'zh-CN' ? r.zh : r.en))));
        pick.value = x.reason || '';
        const save = h('button', { class: 'reason-save', onclick: async () => {
          if (!pick.value) return;
          try { await put('/oee/downtime/' + x.id, { reason: pick.value }); toast(t('saved')); refresh(); } catch (e) { toast(e.message, true); }
        } }, t('oee.setreason'));
        return [x.machine, fmtTime(x.start_ms), x.end_ms ? mins(x.end_ms - x.start_ms) : t('oee.ongoing'),
          t('oee.state.' + x.state) + (x.auto ? ' (' + t('oee.auto') + ')' : ''),
          app.can('alert.ack') ? pick : (x.reason ? rname(x.reason) : '-'), app.can('alert.ack') ? save : ''];
      }), (i) => ({ dataset: { stop: String(s[i].id) } })));
  }

  async function loadPareto() {
    const p = (await get('/oee/pareto')).pareto;
    const max = Math.max(1, ...p.map((x) => x.down_ms));
    pareto.replaceChildren(table([t('oee.reason'), t('oee.minutes'), t('oee.nstops'), t('oee.cumulative'), ''],
      p.map((x) => [x.reason ? rname(x.reason) : t('oee.noreason'), mins(x.down_ms), x.stops, pct(x.cumulative),
        bar(x.down_ms / max)]),
      (i) => ({ dataset: { reason: p[i].reason } })));
  }

  function drawLinks() {
    const q = '/api/v1/oee/report?period=' + period.value;
    links.replaceChildren(h('a', { href: q + '&format=csv', id: 'oee-csv', download: '' }, 'CSV'), ' ',
      h('a', { href: q + '&format=html&lang=' + currentLang(), id: 'oee-html', target: '_blank' }, t('oee.printable')), ' ',
      h('a', { href: q, id: 'oee-json', target: '_blank' }, 'JSON'));
  }
  period.addEventListener('change', drawLinks);

  async function refresh() {
    try { drawBoard(await get('/oee')); await loadStops(); await loadPareto(); } catch (e) { toast(e.message, true); }
  }
  drawBoard(now);
  drawLinks();
  await loadStops();
  await loadPareto();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}
