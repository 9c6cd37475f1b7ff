// The IDS baseline (docs/security.md "Baseline"): what is normal on each
// line, shown by kind; engineers start and stop learning, remove entries,
// export it as JSON and import a JSON file in its place.  Every change
// goes through the API, which audits it.
import { get, post, put } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { confirmAction } from '../dialog.js';
import { t } from '../i18n.js';

// section of the export form, the entry kind the API takes, its columns
const KINDS = [
  ['devices', 'device', ['line', 'mac']],
  ['pairs', 'pair', ['line', 'src', 'dst', 'ethertype']],
  ['masters', 'master', ['line', 'mac']],
  ['wkc', 'wkc', ['line', 'master', 'cmd', 'address', 'wkc']],
  ['ars', 'ar', ['line', 'src', 'dst', 'frame_id', 'cycle_us']],
  ['rates', 'rate', ['line', 'rate', 'src', 'per_10s']],
];
const SHOWN = 500;	// rows drawn per section; the export has them all

const nsTime = (ns) => (ns ? fmtTime(Math.floor(ns / 1e6)) : '-');

export async function baseline(main, app) {
  const edit = app.can('device.control');
  const summary = h('div', { id: 'bl-summary' });
  const sections = h('div', { id: 'bl-sections' });
  const status = h('p', { id: 'bl-status', role: 'status' });
  const secs = h('input', { id: 'bl-seconds', type: 'number', min: 1, value: 3600 });
  const fresh = h('input', { id: 'bl-fresh', type: 'checkbox' });
  const file = h('input', { id: 'bl-file', type: 'file', accept: 'application/json,.json', 'aria-label': t('baseline.file') });

  function said(e, bad) {
    status.className = bad ? 'bad' : 'good';
    status.textContent = e;
  }

  function draw(b) {
    summary.replaceChildren(h('p', { dataset: { state: b.state } },
      h('b', { id: 'bl-state', class: 'tag state-' + b.state }, t('baseline.state.' + b.state)), ' ',
      t('baseline.summary', { entries: b.entries, lines: b.lines.join(', ') || '-', from: nsTime(b.learned_from_ns),
        until: nsTime(b.learned_until_ns) }),
      b.not_stored ? h('span', { class: 'bad' }, ' ' + t('baseline.not_stored', { n: b.not_stored })) : ''));
    sections.replaceChildren(...KINDS.map(([key, kind, cols]) => {
      const rows = b[key] || [];
      const shown = rows.slice(0, SHOWN);
      return h('div', { class: 'card', id: 'bl-' + key, dataset: { n: String(rows.length) } },
        h('h2', {}, t('baseline.kind.' + key), ' (' + rows.length + ')'),
        rows.length ? table([...cols.map((c) => t('baseline.col.' + c)), ''],
          shown.map((r) => [...cols.map((c) => (r[c] === undefined ? '' : String(r[c]))),
            edit ? h('button', { class: 'bl-remove secondary', onclick: () => remove(kind, r) }, t('baseline.remove')) : '']),
          (i) => ({ dataset: { entry: JSON.stringify(shown[i]) } })) : h('p', {}, t('baseline.empty')),
        rows.length > SHOWN ? h('p', {}, t('baseline.more', { n: rows.length - SHOWN })) : '');
    }));
  }

  async function load() { draw(await get('/baseline')); }
  async function act(f, done) {
    try { draw(await f()); said(done); toast(done); } catch (e) { said(e.message, true); }
  }

  async function remove(kind, r) {
    const what = Object.values(r).join(' ');
    if ((await confirmAction({ title: t('baseline.remove_title'), text: t('baseline.remove_text', { what }), ok: t('baseline.remove') })) === null) return;
    await act(() => post('/baseline/entries/remove', { kind, ...r }), t('baseline.removed'));
  }
  async function learn(seconds) {
    await act(() => post('/baseline/learn', { seconds, fresh: seconds > 0 && fresh.checked }),
      seconds ? t('baseline.learning', { s: seconds }) : t('baseline.stopped'));
  }
  async function importFile() {
    const f = file.files && file.files[0];
    if (!f) { said(t('baseline.pick'), true); return; }
    let j;
    try { j = JSON.parse(await f.text()); } catch (e) { said(t('rules.badjson') + ': ' + e.message, true); return; }
    if ((await confirmAction({ title: t('baseline.import_title'), text: t('baseline.import_text', { name: f.name }), ok: t('baseline.import') })) === null) return;
    await act(() => put('/baseline', j), t('baseline.imported'));
  }

  main.append(h('h1', {}, t('baseline.title')), h('p', {}, t('baseline.help')),
    h('div', { class: 'card' }, summary,
      h('div', { class: 'toolbar' },
        h('a', { href: '/api/v1/baseline', id: 'bl-export', download: 'baseline.json', class: 'button' }, t('baseline.export')),
        edit ? [h('label', {}, t('baseline.seconds'), ' ', secs), h('label', {}, fresh, ' ', t('baseline.fresh')),
          h('button', { id: 'bl-learn', onclick: () => learn(Math.max(1, Number(secs.value) || 0)) }, t('baseline.learn')),
          h('button', { id: 'bl-stop', class: 'secondary', onclick: () => learn(0) }, t('baseline.stop'))] : ''),
      edit ? h('div', { class: 'toolbar' }, file, h('button', { id: 'bl-import', class: 'secondary', onclick: importFile }, t('baseline.import'))) : '',
      status),
    sections);
  await load();
  // learning ends on its own: keep the page current
  const timer = setInterval(() => { load().catch(() => {}); }, 5000);
  return () => clearInterval(timer);
}
