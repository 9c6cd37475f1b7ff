// Reports (docs/analytics.md, "Reports"): the shift and daily reports
// iiotd made on schedule and those asked for, newest first, each to open
// as a printable page, to download, or as JSON; an operator makes one now.
import { get, post } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';

export async function list(main, app) {
  const kind = h('select', { id: 'report-kind' }, ['', 'shift', 'day'].map((k) => h('option', { value: k }, t('reports.kind.' + (k || 'all')))));
  const body = h('div', { id: 'report-list' });
  const makeKind = h('select', { id: 'report-make-kind' }, ['day', 'shift'].map((k) => h('option', { value: k }, t('reports.kind.' + k))));
  const line = h('input', { id: 'report-make-line', placeholder: t('reports.allLines'), size: 12 });

  async function load() {
    const r = (await get('/reports?limit=200' + (kind.value ? '&kind=' + kind.value : ''))).reports;
    const u = (x, q) => '/api/v1/reports/' + x.id + q;
    body.replaceChildren(r.length ? table([t('reports.made'), t('reports.kind'), t('oee.line.name'), t('reports.label'), t('reports.from'), t('reports.to'), t('reports.how'), ''],
      r.map((x) => [fmtTime(x.made_ms), t('reports.kind.' + x.kind), x.line || t('reports.allLines'), x.label, fmtTime(x.from_ms), fmtTime(x.to_ms), t('reports.how.' + x.how),
        h('span', {}, h('a', { href: u(x, '?format=html&lang=' + currentLang()), target: '_blank', rel: 'noopener', class: 'report-open' }, t('reports.open')), ' ',
          h('a', { href: u(x, '?format=html&lang=' + currentLang() + '&download=1'), download: '', class: 'report-download' }, t('reports.download')), ' ',
          h('a', { href: u(x, ''), target: '_blank', rel: 'noopener', class: 'report-json' }, 'JSON'))]),
      (i) => ({ dataset: { report: String(r[i].id), kind: r[i].kind, line: r[i].line, how: r[i].how } })) : h('p', { id: 'report-none' }, t('reports.none')));
  }
  async function make() {
    const b = { kind: makeKind.value };
    if (line.value.trim()) b.line = line.value.trim();
    try { const r = await post('/reports', b); toast(t('reports.made.one', { id: r.id })); await load(); } catch (e) { toast(e.message, true); }
  }
  kind.addEventListener('change', () => load().catch((e) => toast(e.message, true)));
  main.append(h('h1', {}, t('reports.title')),
    h('div', { class: 'card toolbar' }, h('label', {}, t('reports.kind'), ' ', kind),
      app.can('alert.ack') ? h('span', { id: 'report-make' }, makeKind, line, h('button', { id: 'report-make-go', onclick: make }, t('reports.make'))) : ''),
    h('div', { class: 'card' }, body));
  await load();
  const timer = setInterval(() => load().catch(() => {}), 10000);
  return () => clearInterval(timer);
}
