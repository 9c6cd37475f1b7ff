// The top bar's search (GET /api/v1/search?q=): one box across devices,
// signals and open alerts; Enter shows the matches at #/search?q=..., each
// a link to its device or alert.
import { get } from '../api.js';
import { h, table, devNameEl } from '../dom.js';
import { t } from '../i18n.js';

// The box in the header, for signed-in sessions that may read devices;
// called on every session change (and language switch).
export function searchBar(app, full) {
  let form = document.getElementById('topsearch');
  if (!form) {
    const input = h('input', { id: 'topsearch-q', type: 'search', maxlength: 64, autocomplete: 'off' });
    form = h('form', { id: 'topsearch', role: 'search', onsubmit: (ev) => {
      ev.preventDefault();
      const q = input.value.trim();
      if (q) app.go('#/search?q=' + encodeURIComponent(q));
    } }, input);
    document.getElementById('alertbar').before(form);
  }
  form.hidden = !(full && app.can('device.read'));
  const input = form.querySelector('input');
  input.placeholder = t('search.placeholder');
  input.setAttribute('aria-label', t('search.label'));
}

export async function results(main, app, query) {
  const q = new URLSearchParams(query || '').get('q') || '';
  const box = document.getElementById('topsearch-q');
  if (box && box.value !== q) box.value = q;
  main.append(h('h1', {}, t('search.title', { q })));
  if (!q) return;
  const r = await get('/search?q=' + encodeURIComponent(q));
  const none = (list) => (list.length ? null : h('p', { class: 'muted' }, t('search.none')));
  main.append(
    h('div', { class: 'card', id: 'search-devices' }, h('h2', {}, t('search.devices'), ' (' + r.devices.length + ')'),
      none(r.devices) || table([t('col.name'), t('col.kind')], r.devices.map((d) => [
        h('a', { href: '#/device/' + d.id, dataset: { device: d.id } }, devNameEl(d)), t('kind.' + d.kind)]))),
    h('div', { class: 'card', id: 'search-signals' }, h('h2', {}, t('search.signals'), ' (' + r.signals.length + ')'),
      none(r.signals) || table([t('col.name'), t('search.unit'), t('search.device')], r.signals.map((s) => [
        s.device_id ? h('a', { href: '#/device/' + s.device_id, dataset: { signal: s.id } }, s.name) : s.name, s.unit || '-',
        s.device_id || '-']))),
    app.can('alert.read') ? h('div', { class: 'card', id: 'search-alerts' }, h('h2', {}, t('search.alerts'), ' (' + r.alerts.length + ')'),
      none(r.alerts) || table([t('col.id'), t('search.rule'), t('search.severity'), t('col.name')], r.alerts.map((a) => [
        h('a', { href: '#/alert/' + a.id, dataset: { alert: a.id } }, '#' + a.id), a.rule, a.severity, devNameEl({ alias: a.device_alias, label: a.label })]))) : null);
}
