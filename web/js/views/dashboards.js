// Dashboards (docs/web.md): the list (one's own, those shared with one's
// role; make, import, export, delete), and one dashboard on its grid.
// Editing: widgets dragged from the palette onto the grid (or added with
// Enter from it), moved and resized by dragging or with the arrow keys,
// set up in a dialog; every change is saved on the server at once.
import { get, post, put, del, postText } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t } from '../i18n.js';
import { Grid, fit, settle, freeSpot } from '../grid.js';
import { KINDS, SIZE, makeWidget } from '../widgets.js';
import { confirmAction } from '../dialog.js';

const ROLES = ['admin', 'engineer', 'operator', 'viewer'];
const SAVE_MS = 300;
const scopeWord = (d) => (d.scope === 'personal' ? t('dash.scope.personal') : t('dash.scope.shared', { role: d.shared === 'all' ? t('dash.all') : t('role.' + d.shared) }));

export async function list(main, app) {
  const out = h('div', { id: 'dash-list' });
  main.append(out);
  const share = app.can('dashboard.share');
  async function load() {
    const r = await get('/dashboards');
    const name = h('input', { name: 'dname', id: 'dash-new-name', required: true, maxlength: 64, placeholder: t('dash.name'), 'aria-label': t('dash.name') });
    const shared = share ? h('select', { name: 'shared', id: 'dash-new-shared', 'aria-label': t('dash.share') },
      h('option', { value: '' }, t('dash.scope.personal')), [...ROLES, 'all'].map((x) => h('option', { value: x }, t('dash.scope.shared', { role: x === 'all' ? t('dash.all') : t('role.' + x) })))) : null;
    const form = h('form', { class: 'toolbar', id: 'dash-new', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const d = await post('/dashboards', Object.assign({ name: name.value, widgets: [] }, shared && shared.value ? { shared: shared.value } : {}));
        app.go('#/dashboard/' + d.id);
      } catch (e) { toast(e.message, true); }
    } }, name, shared, h('button', { type: 'submit' }, t('dash.new')));
    const file = h('input', { type: 'file', id: 'dash-import-file', accept: 'application/json,.json', 'aria-label': t('dash.import') });
    const importErr = h('p', { class: 'error', id: 'dash-import-error', role: 'alert' });
    file.addEventListener('change', async () => {
      if (!file.files.length) return;
      importErr.textContent = '';
      try {
        const d = await postText('/dashboards/import', await file.files[0].text());
        app.go('#/dashboard/' + d.id);
      } catch (e) { importErr.textContent = e.message; }
    });
    out.replaceChildren(h('h1', {}, t('nav.dashboards')),
      r.dashboards.length ? table([t('col.name'), t('dash.scope'), t('dash.updated'), ''], r.dashboards.map((d) => [
        h('a', { href: '#/dashboard/' + d.id, dataset: { dash: d.id } }, d.name), scopeWord(d) + (d.default ? ' · ' + t('dash.default') : ''),
        fmtTime(d.updated) + ' · ' + d.updated_by,
        h('span', { class: 'actions' },
          h('a', { href: '/api/v1/dashboards/' + d.id + '/export', download: 'dashboard-' + d.id + '.json', class: 'w-link' }, t('dash.export')),
          d.editable && d.scope === 'shared' ? h('button', { type: 'button', class: 'secondary', dataset: { default: d.id }, 'aria-pressed': String(d.default), onclick: async () => {
            try {
              const full = await get('/dashboards/' + d.id);
              await put('/dashboards/' + d.id, { name: full.name, widgets: full.widgets, default: !d.default });
              load();
            } catch (e) { toast(e.message, true); }
          } }, t(d.default ? 'dash.undefault' : 'dash.make_default')) : null,
          d.editable ? h('button', { type: 'button', class: 'secondary', dataset: { del: d.id }, onclick: async () => {
            if (await confirmAction({ title: t('dash.delete'), text: t('dash.delete_q', { name: d.name }), ok: t('dash.delete') }) === null) return;
            try { await del('/dashboards/' + d.id); load(); } catch (e) { toast(e.message, true); }
          } }, t('dash.delete')) : null)]), (i) => ({ dataset: { id: r.dashboards[i].id } }))
        : h('p', { class: 'card', id: 'dash-none' }, t('dash.none')),
      app.can('dashboard.edit') ? h('div', { class: 'card' }, h('h2', {}, t('dash.new')), form,
        h('h2', {}, t('dash.import')), file, importErr) : null);
  }
  await load();
}

// #/dashboards with a default: straight to it, else the list
export async function home(main, app) {
  const r = await get('/dashboards');
  if (r.default) { app.go('#/dashboard/' + r.default); return null; }
  return list(main, app);
}

let seq = 0;
const newId = (ws) => { let id; do id = 'w' + (++seq).toString(36) + Math.floor(Math.random() * 1296).toString(36); while (ws.some((w) => w.id === id)); return id; };

// The settings dialog of widget w; resolves true when changed.
function configure(w, signals) {
  return new Promise((resolve) => {
    const f = h('form', { method: 'dialog', id: 'w-config' });
    const title = h('input', { name: 'title', maxlength: 64, value: w.title || '' });
    const rows = [h('label', { class: 'block' }, h('span', {}, t('dash.w.title')), title)];
    const many = w.type === 'chart', one = ['value', 'gauge', 'lamp'].includes(w.type);
    let picks = null, filter = null;
    const chosen = new Set(many ? w.signals || [] : w.signal ? [w.signal] : []);
    if (many || one) {
      filter = h('input', { type: 'search', id: 'w-sig-filter', placeholder: t('dash.w.filter'), 'aria-label': t('dash.w.filter') });
      picks = h('div', { class: 'w-picks', id: 'w-sig-picks', role: 'group', 'aria-label': t('dash.w.signals') });
      const draw = () => {
        const q = filter.value.toLowerCase();
        const shown = signals.filter((s) => chosen.has(s.id) || !q || (s.name + ' ' + (s.device || '')).toLowerCase().includes(q)).slice(0, 60);
        picks.replaceChildren(...shown.map((s) => h('label', {}, h('input', { type: many ? 'checkbox' : 'radio', name: 'sig', value: s.id, checked: chosen.has(s.id), onchange: (ev) => {
          if (!many) chosen.clear();
          if (ev.target.checked) chosen.add(s.id); else chosen.delete(s.id);
        } }), ' ', s.name + (s.unit ? ' [' + s.unit + ']' : '') + (s.device ? ' · ' + s.device : ''))));
      };
      filter.addEventListener('input', draw);
      draw();
      rows.push(h('fieldset', {}, h('legend', {}, t(many ? 'dash.w.signals' : 'dash.w.signal')), filter, picks));
    }
    const numIn = (k) => h('label', { class: 'inline' }, h('span', {}, t('dash.w.' + k)), h('input', { name: k, type: 'number', step: 'any', value: w[k] === undefined ? '' : w[k] }));
    if (many) rows.push(h('label', { class: 'block' }, h('span', {}, t('dash.w.range')), h('select', { name: 'range_min' },
      [15, 60, 360, 1440].map((m) => h('option', { value: m, selected: (w.range_min || 60) === m }, t('dash.w.range_' + m))))));
    if (w.type === 'value' || w.type === 'gauge') rows.push(h('div', { class: 'toolbar' }, numIn('warn'), numIn('alarm'), w.type === 'gauge' ? [numIn('min'), numIn('max')] : null));
    if (w.type === 'alerts') rows.push(numIn('limit'));
    if (w.type === 'oee') rows.push(h('label', { class: 'block' }, h('span', {}, t('dash.w.line')), h('input', { name: 'line', maxlength: 64, value: w.line || '' })));
    if (w.type === 'text') rows.push(h('label', { class: 'block' }, h('span', {}, t('dash.w.text')), h('textarea', { name: 'text', rows: 4, maxlength: 2000 }, w.text || '')));
    const err = h('p', { class: 'error', role: 'alert' });
    f.append(h('h2', {}, t('dash.kind.' + w.type)), ...rows, err, h('div', { class: 'actions' },
      h('button', { type: 'submit', value: 'ok', id: 'w-config-ok' }, t('dash.w.apply')),
      h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close('cancel') }, t('dialog.cancel'))));
    const dlg = h('dialog', { class: 'confirm w-dialog' }, f);
    f.addEventListener('submit', (ev) => {
      if ((many && !chosen.size) || (one && !chosen.size)) { ev.preventDefault(); err.textContent = t('dash.w.pick'); return; }
      if (many && chosen.size > 10) { ev.preventDefault(); err.textContent = t('dash.w.ten'); return; }
    });
    dlg.addEventListener('close', () => {
      const yes = dlg.returnValue === 'ok';
      if (yes) {
        const v = (k) => (f.elements[k] ? f.elements[k].value : '');
        if (v('title')) w.title = v('title'); else delete w.title;
        if (many) { w.signals = [...chosen]; w.range_min = Number(v('range_min')); }
        if (one) w.signal = [...chosen][0];
        for (const k of ['warn', 'alarm', 'min', 'max', 'limit']) if (f.elements[k]) { if (v(k) === '') delete w[k]; else w[k] = Number(v(k)); }
        if (w.type === 'oee') { if (v('line')) w.line = v('line'); else delete w.line; }
        if (w.type === 'text') w.text = v('text');
      }
      dlg.remove();
      resolve(yes);
    });
    document.body.append(dlg);
    dlg.showModal();
    (filter || title).focus();
  });
}

// One dashboard; opts.kiosk: read-only, no links out, no editing.
export async function board(main, app, id, opts) {
  const kiosk = !!(opts && opts.kiosk);
  const d = await get('/dashboards/' + id);
  const signals = (await get('/signals')).signals;
  const ctx = { app, sig: new Map(signals.map((s) => [s.id, s])), kiosk };
  const widgets = d.widgets;
  const live = new Map();	// widget -> its live part
  const status = h('span', { id: 'dash-status', class: 'tag', role: 'status', dataset: { state: 'saved' } });
  const gridEl = h('div', { id: 'dash-grid', 'aria-label': d.name });
  let saves = 0, timer = null;

  const save = () => {
    clearTimeout(timer);
    status.dataset.state = 'saving';
    status.textContent = t('dash.saving');
    timer = setTimeout(async () => {
      try {
        await put('/dashboards/' + id, { name: d.name, widgets });
        status.dataset.state = 'saved';
        status.dataset.saves = String(++saves);
        status.textContent = t('dash.saved');
      } catch (e) {
        status.dataset.state = 'error';
        status.textContent = e.message;
      }
    }, SAVE_MS);
  };
  const grid = new Grid(gridEl, (w) => { const p = live.get(w); if (p && p.resize) p.resize(); save(); });

  function mount(w) {
    const body = h('div', { class: 'w-body' });
    const head = h('div', { class: 'w-head' }, h('span', { class: 'w-title' }, w.title || t('dash.kind.' + w.type)),
      kiosk || !d.editable ? null : h('span', { class: 'w-tools' },
        h('button', { type: 'button', class: 'secondary w-cfg', title: t('dash.w.configure'), 'aria-label': t('dash.w.configure'), onclick: () => reconfigure(w) }, '⚙'),
        h('button', { type: 'button', class: 'secondary w-del', title: t('dash.w.remove'), 'aria-label': t('dash.w.remove'), onclick: () => { drop(w); save(); } }, '✕')));
    const el = h('section', { class: 'w wk-' + w.type, dataset: { wid: w.id, type: w.type }, 'aria-label': (w.title || t('dash.kind.' + w.type)) },
      head, body, h('div', { class: 'w-resize', 'aria-hidden': 'true' }));
    el.addEventListener('keydown', (ev) => {
      if (!grid.editing || ev.target !== el) return;
      if (ev.key === 'Delete') { drop(w); save(); } else if (ev.key === 'Enter') reconfigure(w);
    });
    grid.add(w, el);
    live.set(w, makeWidget(w, ctx, body));
  }
  function unmount(w) { const p = live.get(w); if (p && p.destroy) p.destroy(); live.delete(w); grid.remove(w); }
  function drop(w) { unmount(w); widgets.splice(widgets.indexOf(w), 1); }
  async function reconfigure(w) {
    const copy = { ...w };
    if (!(await configure(copy, signals))) return;
    Object.assign(w, copy);
    for (const k of Object.keys(w)) if (!(k in copy)) delete w[k];
    unmount(w);
    mount(w);
    save();
  }
  // a new widget of kind at (x, y) or the first free place
  async function addKind(kind, at) {
    const [cw, ch] = SIZE[kind];
    const w = fit({ id: newId(widgets), type: kind, ...(at || freeSpot(widgets, cw, ch)), w: cw, h: ch });
    if (kind === 'text') w.text = '';
    if (['chart', 'value', 'gauge', 'lamp'].includes(kind) && !(await configure(w, signals))) return;
    widgets.push(w);
    settle(widgets, w);
    mount(w);
    grid.layout();
    save();
  }

  // the palette: drag a kind onto the grid, or Enter/click to add it
  const palette = h('div', { class: 'dash-palette', id: 'dash-palette', role: 'toolbar', 'aria-label': t('dash.palette'), hidden: true },
    KINDS.map((k) => {
      const b = h('button', { type: 'button', class: 'secondary', dataset: { kind: k } }, t('dash.kind.' + k));
      b.addEventListener('pointerdown', (ev) => {
        if (ev.button !== 0) return;
        ev.preventDefault();
        b.setPointerCapture(ev.pointerId);
        const ghost = h('div', { class: 'dash-ghost' }, t('dash.kind.' + k));
        document.body.append(ghost);
        let moved = false;
        const x0 = ev.clientX, y0 = ev.clientY;
        const mv = (e) => {
          if (Math.abs(e.clientX - x0) + Math.abs(e.clientY - y0) > 4) moved = true;
          ghost.style.left = e.clientX + 'px';
          ghost.style.top = e.clientY + 'px';
        };
        const up = (e) => {
          b.removeEventListener('pointermove', mv);
          b.removeEventListener('pointerup', up);
          b.removeEventListener('pointercancel', up);
          ghost.remove();
          if (e.type === 'pointercancel') return;
          const r = gridEl.getBoundingClientRect();
          if (!moved) addKind(k);
          else if (e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom) addKind(k, grid.cellAt(e.clientX, e.clientY));
        };
        b.addEventListener('pointermove', mv);
        b.addEventListener('pointerup', up);
        b.addEventListener('pointercancel', up);
      });
      b.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); addKind(k); } });
      return b;
    }));
  const editBtn = d.editable && !kiosk ? h('button', { type: 'button', id: 'dash-edit', 'aria-pressed': 'false', onclick: () => {
    grid.editing = !grid.editing;
    editBtn.setAttribute('aria-pressed', String(grid.editing));
    editBtn.textContent = t(grid.editing ? 'dash.done' : 'dash.edit');
    palette.hidden = !grid.editing;
    gridEl.classList.toggle('editing', grid.editing);
    grid.layout();
  } }, t('dash.edit')) : null;
  if (!kiosk) {
    main.append(h('div', { class: 'toolbar dash-bar' }, h('h1', { id: 'dash-title' }, d.name), h('span', { class: 'tag', id: 'dash-scope' }, scopeWord(d)),
      d.editable ? null : h('span', { class: 'tag', id: 'dash-readonly' }, t('dash.readonly')),
      h('span', { class: 'spacer' }), editBtn, d.editable ? status : null,
      h('a', { href: '#/dashboards/list', class: 'w-link', id: 'dash-list-link' }, t('dash.all_list'))), palette);
  } else {
    main.append(h('h1', { id: 'dash-title', class: 'kiosk-title' }, d.name));
  }
  main.append(gridEl);
  gridEl.dataset.editable = String(!!d.editable && !kiosk);
  for (const w of widgets) mount(w);
  const offLive = app.onLive((snap) => { for (const p of live.values()) if (p.live) p.live(snap); });
  const onResize = () => { grid.layout(); for (const p of live.values()) if (p.resize) p.resize(); };
  window.addEventListener('resize', onResize);
  requestAnimationFrame(onResize);
  return () => {
    offLive();
    window.removeEventListener('resize', onResize);
    clearTimeout(timer);
    for (const w of [...live.keys()]) unmount(w);
  };
}
