// Device descriptions (docs/descriptions.md): the imported GSDML, ESI and
// ENI files, one shown with its modules, submodules and PDOs and their
// signals; import by file picker or by dropping a file (device.control),
// the importer's error with its line when the file is refused; remove
// after a confirmation.  GET/POST/DELETE /api/v1/descriptions.
import { get, post, del } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t } from '../i18n.js';
import { confirmAction } from '../dialog.js';

const DESC_MAX = 1000 * 1024;	// the API's upload limit (1000 KiB)

const entryRows = (g) => (g.entries || []).map((e) => [e.name || '-', e.bit === null || e.bit === undefined ? '?' : String(e.bit),
  e.bits === undefined ? '-' : String(e.bits), e.type || '-', e.unit || '-', e.index !== undefined ? '0x' + e.index.toString(16).padStart(6, '0') : '-']);

function deviceCard(d, i) {
  const groups = (d.groups || []).map((g) => h('div', { class: 'desc-group' },
    h('h4', {}, (g.name || '-') + ' ', h('span', { class: 'tag' }, t('desc.dir.' + (g.dir || 'in')) +
      (g.index !== undefined ? ' 0x' + g.index.toString(16) : '') + (g.assigned === false ? ' · ' + t('desc.unassigned') : ''))),
    (g.entries || []).length ? table([t('desc.signal'), t('desc.offset'), t('desc.bits'), t('desc.type'), t('desc.unit'), t('desc.index')], entryRows(g))
      : h('p', { class: 'muted' }, t('desc.no_entries'))));
  return h('section', { class: 'card desc-device', dataset: { role: d.role, i } },
    h('h3', {}, d.name || d.type || '-', ' ', h('span', { class: 'tag' }, t('desc.role.' + d.role) + (d.line ? ' · ' + t('desc.line', { n: d.line }) : ''))),
    h('p', { class: 'muted' }, [d.type ? t('desc.ident') + ' ' + d.type : '', d.product !== undefined ? ' · 0x' + d.product.toString(16) : '',
      d.in ? ' · ' + t('desc.in_image', { bit: d.in.bit_start, bits: d.in.bits }) : '', d.out ? ' · ' + t('desc.out_image', { bit: d.out.bit_start, bits: d.out.bits }) : ''].join('')),
    groups);
}

export async function descriptions(main, app, id) {
  const edit = app.can('device.control');
  const list = h('div', { id: 'desc-list', class: 'scroll-x' });
  const shown = h('div', { id: 'desc-show' });
  const err = h('p', { id: 'desc-error', class: 'error', role: 'alert' });
  const file = h('input', { id: 'desc-file', type: 'file', accept: '.xml,application/xml,text/xml', 'aria-label': t('desc.file') });
  const drop = h('div', { id: 'desc-drop', class: 'drop', tabindex: 0, role: 'button', 'aria-label': t('desc.drop') }, t('desc.drop'));

  async function load() {
    const r = await get('/descriptions');
    list.replaceChildren(r.descriptions.length ? table([t('desc.kind'), t('desc.vendor'), t('desc.device'), t('desc.modules'), t('desc.filename'),
      t('desc.when'), t('desc.who'), ''], r.descriptions.map((d) => [t('desc.kind.' + d.kind), d.vendor || '-',
      h('a', { href: '#/descriptions/' + d.id, dataset: { desc: d.id } }, d.name || d.file), String(d.devices), d.file,
      fmtTime(d.imported_ns / 1e6), d.imported_by || '-',
      edit ? h('button', { type: 'button', class: 'secondary', dataset: { remove: d.id }, 'aria-label': t('desc.remove') + ' ' + d.file,
        onclick: () => remove(d) }, t('desc.remove')) : '']), (i) => ({ class: 'desc-row', dataset: { id: r.descriptions[i].id, kind: r.descriptions[i].kind } }))
      : h('p', { class: 'muted' }, t('desc.none')));
  }
  async function remove(d) {
    const yes = await confirmAction({ title: t('desc.remove_title'), text: t('desc.remove_text', { file: d.file }), ok: t('desc.remove') });
    if (yes === null) return;
    try {
      await del('/descriptions/' + d.id);
      toast(t('desc.removed', { file: d.file }));
      if (String(id) === String(d.id)) { location.hash = '#/descriptions'; return; }
      await load();
    } catch (e) { toast(e.message, true); }
  }
  async function upload(f) {
    err.textContent = '';
    if (!f) return;
    if (f.size > DESC_MAX) { err.textContent = t('desc.too_big'); return; }
    try {
      const row = await post('/descriptions', { file: f.name, xml: await f.text() });
      toast(t('desc.imported', { file: f.name }));
      await load();
      location.hash = '#/descriptions/' + row.id;
    } catch (e) {
      // the importer's reason, with the line it names
      err.textContent = f.name + ': ' + e.message;
    }
  }
  async function show() {
    if (!id) { shown.replaceChildren(); return; }
    const d = await get('/descriptions/' + id);
    const x = d.description || {};
    shown.replaceChildren(h('div', { class: 'card' }, h('h2', { id: 'desc-title' }, (x.name || d.name || d.file) + ' ',
      h('span', { class: 'tag' }, t('desc.kind.' + d.kind))),
    h('p', {}, [t('desc.vendor') + ': ' + (x.vendor || d.vendor || '-'), d.vendor_id !== undefined ? ' (0x' + d.vendor_id.toString(16) + ')' : '',
      x.master ? ' · ' + t('desc.master') + ' ' + x.master : '', ' · ' + d.file].join('')),
    x.error ? h('p', { class: 'error' }, x.error) : null,
    (x.devices || []).map(deviceCard)));
  }
  file.addEventListener('change', () => upload(file.files && file.files[0]));
  drop.addEventListener('click', () => file.click());
  drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); file.click(); } });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => { ev.preventDefault(); drop.classList.remove('over'); upload(ev.dataTransfer.files[0]); });
  main.append(h('h1', {}, t('nav.descriptions')),
    edit ? h('div', { class: 'card' }, h('h2', {}, t('desc.import')), h('div', { class: 'toolbar' }, h('label', { for: 'desc-file' }, t('desc.file')), file), drop, err) : null,
    h('div', { class: 'card' }, h('h2', {}, t('desc.imported_list')), list), shown);
  await load();
  await show();
}
