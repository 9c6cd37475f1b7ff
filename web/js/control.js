// Device control on the device page (docs/devices.md "Gates", docs/web.md
// "Device control"): PROFINET DCP Identify, Signal, Set name, Set IP and
// Reset to factory, and a Modbus point's write.  Every action opens one
// dialog: the dry run's answer shows exactly what will be sent (the frame,
// or the registers or coil, and where to), a reason is needed, and only
// then does it send; the device's answer, or a refusal with iiotd's reason
// and status, stays in the dialog.  Without device.control the buttons are
// disabled saying so; an action the device's lifecycle state does not allow
// is disabled naming the state it needs.  iiotd checks all of it again.
import { get, post, ApiError } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const MAINT = ['maintenance'];
// the DCP operations on one device (identify is by the device's name, on
// the line: no device of the inventory is aimed at, so no lifecycle gate)
const DCP_OPS = [
  { op: 'identify', states: null },
  { op: 'signal', states: MAINT },
  { op: 'set-name', states: ['maintenance', 'commissioned'] },
  { op: 'set-ip', states: MAINT },
  { op: 'reset', states: MAINT },
];
const RESET_MODES = [2, 1, 3, 4, 8, 9];
const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [href]';

// Tab and Shift+Tab stay within the dialog (showModal leaves the browser's
// own controls reachable otherwise); Esc closes it (the dialog's cancel)
function trapFocus(dlg) {
  dlg.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const f = [...dlg.querySelectorAll(FOCUSABLE)].filter((e) => e.offsetParent !== null);
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1];
    if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
}

const input = (id, attrs) => h('input', { id, name: id.replace(/^ctl-f-/, ''), ...attrs });
const field = (label, el) => h('label', { class: 'block' }, h('span', {}, label), el);

// What a dry run says will go out, as rows of a table and the frame's bytes
function previewView(r) {
  const rows = [];
  let bytes = null;
  if (r.frame) {
    const f = r.frame;
    rows.push([t('control.op'), f.op], [t('control.dst'), f.dst], [t('control.src'), f.src], [t('control.length'), f.length]);
    bytes = (f.frame.match(/.{1,2}/g) || []).reduce((a, b, i) => a + (i && i % 16 === 0 ? '\n' : i ? ' ' : '') + b, '');
  } else if (r.sent) {
    rows.push([t('control.point'), r.point], [t('control.value'), r.value], [t('control.area'), r.sent.area],
      [t('control.function'), r.sent.function], [t('control.address'), r.sent.address], [t('control.values'), (r.sent.values || []).join(', ')]);
  }
  return [h('table', { class: 'grid', id: 'ctl-preview-table' },
    h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))))),
  bytes ? h('pre', { id: 'ctl-frame', class: 'hex', 'aria-label': t('control.frame') }, bytes) : null].filter(Boolean);
}

// The device's answer after a send
function resultView(r) {
  const out = [h('p', { id: 'ctl-result-text' }, t('control.result', { result: r.result || '' }))];
  if (r.read_back !== undefined) out.push(h('p', {}, t('control.read_back', { v: r.read_back })));
  if (r.answer) out.push(h('pre', { id: 'ctl-answer' }, JSON.stringify(r.answer, null, 1)));
  if (r.devices) out.push(h('pre', { id: 'ctl-answer' }, JSON.stringify(r.devices, null, 1)));
  return out;
}

/*
 * The dialog of one action: title, target (what it aims at), fields
 * (elements whose values body() reads), path and body() the request
 * without reason and dry_run.  Resolves when closed.
 */
function controlDialog({ title, target, fields, path, body, opener }) {
  return new Promise((resolve) => {
    const preview = h('div', { id: 'ctl-preview', 'aria-live': 'polite' });
    const err = h('p', { class: 'error', id: 'ctl-error', role: 'alert' });
    const result = h('div', { id: 'ctl-result', 'aria-live': 'polite' });
    const reason = h('textarea', { id: 'ctl-reason', name: 'reason', rows: 2, maxlength: 255, 'aria-required': 'true' });
    const send = h('button', { type: 'button', id: 'ctl-send', disabled: true }, t('control.send'));
    const previewBtn = h('button', { type: 'button', id: 'ctl-preview-btn', class: 'secondary' }, t('control.preview'));
    let shown = null;	// the parameters the preview shows, as sent
    const refusal = (e) => (e instanceof ApiError ? t('control.refused', { status: e.status, why: e.message }) : e.message);

    async function dryRun() {
      err.textContent = '';
      result.replaceChildren();
      send.disabled = true;
      shown = null;
      const b = body();
      try {
        // iiotd wants a reason for a dry run too: the one typed so far, or
        // saying it is the dialog's preview
        const r = await post(path, { ...b, reason: reason.value.trim() || 'preview in the device page', dry_run: true });
        preview.replaceChildren(h('h3', {}, t('control.will_send')), ...previewView(r));
        shown = JSON.stringify(b);
        send.disabled = false;
      } catch (e) {
        preview.replaceChildren();
        err.textContent = refusal(e);
      }
    }
    async function doSend() {
      err.textContent = '';
      const b = body();
      if (shown !== JSON.stringify(b)) { err.textContent = t('control.stale'); return; }
      if (!reason.value.trim()) { err.textContent = t('dialog.reason_needed'); reason.focus(); return; }
      send.disabled = true;
      dlg.dataset.state = 'sending';
      try {
        const r = await post(path, { ...b, reason: reason.value.trim(), dry_run: false });
        result.replaceChildren(h('h3', {}, t('control.answer')), ...resultView(r));
        dlg.dataset.state = 'done';
      } catch (e) {
        err.textContent = refusal(e);
        dlg.dataset.state = 'refused';
        send.disabled = false;
      }
    }
    previewBtn.addEventListener('click', dryRun);
    send.addEventListener('click', doSend);
    for (const f of fields) f.addEventListener('input', () => { if (shown) { send.disabled = true; preview.replaceChildren(h('p', { class: 'muted' }, t('control.stale'))); shown = null; } });
    const dlg = h('dialog', { class: 'confirm control', id: 'ctl-dialog', 'aria-labelledby': 'ctl-title' },
      h('h2', { id: 'ctl-title' }, title),
      h('p', { id: 'ctl-target' }, t('control.target', { target })),
      fields.length ? h('div', { class: 'ctl-fields' }, ...fields.map((f) => field(f.dataset.label, f))) : null,
      h('div', { class: 'actions' }, previewBtn),
      preview,
      field(t('control.reason'), reason),
      err,
      result,
      h('div', { class: 'actions' }, send,
        h('button', { type: 'button', id: 'ctl-close', class: 'secondary', onclick: () => dlg.close() }, t('control.close'))));
    trapFocus(dlg);
    dlg.addEventListener('close', () => { dlg.remove(); if (opener) opener.focus(); resolve(); });
    document.body.append(dlg);
    dlg.showModal();
    (fields[0] || reason).focus();
    if (!fields.length) dryRun();
  });
}

function labelled(el, label) { el.dataset.label = label; return el; }

// the fields, the path and the body of each DCP operation on device d
function dcpAction(d, op) {
  const station = d.station_name || '';
  switch (op) {
  case 'identify':
    return { fields: [], path: '/dcp/identify', body: () => (station ? { name: station } : {}), target: station || t('control.all') };
  case 'set-name': {
    const name = labelled(input('ctl-f-name', { value: station, maxlength: 240, autocomplete: 'off' }), t('control.f.name'));
    return { fields: [name], body: () => ({ name: name.value.trim() }) };
  }
  case 'set-ip': {
    const ip = labelled(input('ctl-f-ip', { value: d.ip || '', inputmode: 'decimal' }), t('control.f.ip'));
    const mask = labelled(input('ctl-f-mask', { value: d.netmask || '255.255.255.0', inputmode: 'decimal' }), t('control.f.mask'));
    const gw = labelled(input('ctl-f-gateway', { value: d.gateway && d.gateway !== '0.0.0.0' ? d.gateway : '', inputmode: 'decimal' }), t('control.f.gateway'));
    const perm = labelled(h('select', { id: 'ctl-f-permanent', name: 'permanent' },
      h('option', { value: 'false' }, t('control.temporary')), h('option', { value: 'true' }, t('control.permanent'))), t('control.f.keep'));
    return { fields: [ip, mask, gw, perm], body: () => {
      const b = { ip: ip.value.trim(), mask: mask.value.trim(), permanent: perm.value === 'true' };
      if (gw.value.trim()) b.gateway = gw.value.trim();
      return b;
    } };
  }
  case 'reset': {
    const mode = labelled(h('select', { id: 'ctl-f-mode', name: 'mode' },
      RESET_MODES.map((m) => h('option', { value: m }, t('control.mode', { m }) + (m === 2 ? ' — ' + t('control.mode2') : '')))), t('control.f.mode'));
    return { fields: [mode], body: () => ({ mode: Number(mode.value) }) };
  }
  default:
    return { fields: [], body: () => ({}) };
  }
}

function modbusAction(mb) {
  const writable = mb.points.filter((p) => p.writable);
  const point = labelled(h('select', { id: 'ctl-f-point', name: 'point' },
    writable.map((p) => h('option', { value: p.name }, p.name + ' (' + p.area + ' ' + p.address + (p.unit ? ', ' + p.unit : '') + ')'))), t('control.point'));
  const value = labelled(input('ctl-f-value', { type: 'number', step: 'any', value: '0' }), t('control.value'));
  return { fields: [point, value], path: '/modbus/devices/' + encodeURIComponent(mb.name) + '/write',
    body: () => ({ point: point.value, value: Number(value.value) }), target: mb.name + ' (' + mb.host + ':' + mb.port + ')', writable };
}

// Why an action is disabled for lifecycle state lc, or '' when it is not
function lifecycleWhy(states, lc) {
  if (!states || states.includes(lc)) return '';
  return t('control.needs', { states: states.map((s) => t('lc.' + s)).join(t('control.or')), state: t('lc.' + lc) });
}

/*
 * The control card of device d, or null for a kind without control:
 * { el, update(lifecycle) } (update after the lifecycle changed).
 */
export async function controlCard(app, d) {
  let mb = null;
  const kind = d.kind === 'pn-device' ? 'dcp' : d.kind === 'modbus' ? 'modbus' : null;
  if (!kind) return null;
  if (kind === 'modbus') {
    try { mb = await get('/modbus/devices/' + d.id); } catch (e) { return null; }
  }
  const allowed = app.can('device.control');
  const note = h('p', { class: 'muted small', id: 'ctl-note' });
  const acts = kind === 'dcp' ? DCP_OPS.map((o) => ({ ...o, label: t('control.' + o.op) }))
    : [{ op: 'write', states: MAINT, label: t('control.write') }];
  const buttons = acts.map((a) => {
    const b = h('button', { type: 'button', id: 'ctl-' + a.op, class: 'secondary', dataset: { op: a.op } }, a.label);
    b.addEventListener('click', () => {
      const x = kind === 'dcp' ? dcpAction(d, a.op) : modbusAction(mb);
      if (x.writable && !x.writable.length) { note.textContent = t('control.no_points'); return; }
      controlDialog({ title: a.label, target: x.target || devTarget(d), fields: x.fields, opener: b,
        path: x.path || '/devices/' + d.id + '/dcp/' + a.op, body: x.body });
    });
    return b;
  });
  function update(lc) {
    const why = [];
    acts.forEach((a, i) => {
      const w = !allowed ? t('control.no_perm') : lifecycleWhy(a.states, lc);
      buttons[i].disabled = !!w;
      buttons[i].title = w;
      if (w && !why.includes(w)) why.push(w);
    });
    note.textContent = why.join(' ');
  }
  update(d.lifecycle);
  const el = h('div', { class: 'card', id: 'dev-control' }, h('h2', {}, t('control.title')),
    h('div', { class: 'toolbar', role: 'group', 'aria-label': t('control.title') }, ...buttons), note);
  return { el, update };
}

function devTarget(d) {
  return [...new Set([d.alias || d.label, d.station_name, d.mac].filter(Boolean))].join(' · ');
}
