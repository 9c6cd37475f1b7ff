// The rule editor (docs/analytics.md, "Rules in the API, the UI and
// iiotctl"): a form per rule kind that builds the JSON the API takes, the
// server's refusal shown beside the field it names (an expression's
// column marked under it), the versions with rollback and, for roles that
// read the audit log, the audit rows of the rule.
import { get, post, put, del } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { confirmAction } from '../dialog.js';
import { t } from '../i18n.js';

// Each kind's own keys, in the order the form shows them.
export const KINDS = {
  threshold: ['limit', 'deadband'],
  rate: ['rate', 'window', 'deadband'],
  stale: ['after'],
  stuck: ['after', 'tolerance'],
  range: ['min', 'max', 'deadband'],
  state_held: ['equals', 'after'],
  expr: ['expr'],
};
const COMMON = ['severity', 'on_delay', 'off_delay'];
// the devices a rule is kept to (docs/analytics.md, "Rules on a group of devices")
const GROUP = ['group', 'device_kind', 'device_vendor', 'device_label', 'device'];
const DEV_KINDS = ['ecat-master', 'ecat-slave', 'pn-controller', 'pn-device'];
const SEVERITIES = ['info', 'warning', 'critical'];
const ESCALATE_MAX = 2;

// a number when the text is one, else the text for the server to judge
const num = (s) => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
const words = (v) => (Array.isArray(v) ? v : String(v || '').split(/\s+/)).filter(Boolean);

// the form's values (a plain object) -> the rule as the API takes it
export function toRule(f) {
  const r = { name: f.name.trim(), kind: f.kind };
  if (f.kind !== 'expr') r.signal = f.signals.slice();
  for (const k of KINDS[f.kind] || []) {
    const v = String(f[k] === undefined ? '' : f[k]).trim();
    if (v === '') continue;
    if (k === 'limit') r[f.dir === 'below' ? 'below' : 'above'] = num(v);
    else if (k === 'expr') r.expr = v;
    else if (k === 'window' || k === 'after') r[k] = v;
    else r[k] = num(v);
  }
  for (const k of COMMON) if (f[k]) r[k] = f[k].trim();
  if (f.kind !== 'expr') for (const k of GROUP) if (f[k] && f[k].trim()) r[k] = f[k].trim();
  const esc = (f.escalate || []).filter((e) => e.after.trim()).map((e) => e.after.trim() + ' ' + e.severity);
  if (esc.length) r.escalate = esc;
  return r;
}

// a stored rule -> the form's values
export function fromRule(name, r) {
  const f = { name, kind: r.kind || 'threshold', signals: words(r.signal), dir: r.below !== undefined ? 'below' : 'above', escalate: [] };
  f.limit = r.below !== undefined ? r.below : r.above;
  for (const k of ['deadband', 'rate', 'window', 'after', 'tolerance', 'min', 'max', 'equals', 'expr', ...COMMON, ...GROUP]) {
    if (r[k] !== undefined) f[k] = words(r[k]).join(' ');
  }
  const esc = r.escalate === undefined ? [] : (Array.isArray(r.escalate) ? r.escalate : [r.escalate]);
  for (const e of esc) {
    const [after, severity] = String(e).split(/\s+/);
    f.escalate.push({ after: after || '', severity: severity || 'critical' });
  }
  if (f.limit !== undefined) f.limit = String(f.limit);
  return f;
}

const TEXTS = ['limit', 'deadband', 'rate', 'window', 'after', 'tolerance', 'min', 'max', 'equals', 'expr', 'on_delay', 'off_delay'];
const BLANK = { name: '', kind: 'threshold', signals: [], dir: 'above', escalate: [] };

export async function rules(main, app) {
  const edit = app.can('device.control');
  const list = h('div', { id: 'rule-list' });
  const versions = h('div', { id: 'rule-versions' });
  const audit = h('div', { id: 'rule-audit' });
  const status = h('p', { id: 'rule-status', role: 'status' });
  const json = h('pre', { id: 'rule-json' });
  let current = null;		// the API rule being edited (null: a new one)
  let signals = [];
  try { signals = [...new Set((await get('/signals')).signals.map((s) => s.name))].sort(); } catch (e) { /* no signals yet */ }

  // one input per key, each with its error slot beside it
  const errs = {};
  const inputs = {};
  function field(key, control, help) {
    inputs[key] = control;
    control.id = 'rule-f-' + key;
    control.name = key;
    errs[key] = h('span', { class: 'error field-error', id: 'rule-err-' + key, role: 'alert' });
    return h('label', { class: 'block rule-field', dataset: { key } }, h('span', {}, t('rules.f.' + key), help ? h('small', {}, ' ' + help) : ''), control, errs[key]);
  }
  const text = (ph) => h('input', { type: 'text', size: 16, autocomplete: 'off', spellcheck: 'false', placeholder: ph || '' });
  const name = text();
  name.maxLength = 47;
  const kind = h('select', {}, Object.keys(KINDS).map((k) => h('option', { value: k }, t('rules.kind.' + k))));
  const sigs = h('select', { multiple: true, size: Math.min(8, Math.max(3, signals.length)) }, signals.map((s) => h('option', { value: s }, s)));
  const dir = h('select', { id: 'rule-f-dir', name: 'dir' }, ['above', 'below'].map((d) => h('option', { value: d }, t('rules.dir.' + d))));
  const exprBox = h('textarea', { rows: 3, cols: 60, spellcheck: 'false' });
  const caret = h('pre', { id: 'rule-caret', class: 'caret', hidden: true });
  const insert = h('select', { id: 'rule-insert' }, h('option', { value: '' }, t('rules.insert')), signals.map((s) => h('option', { value: s }, s)));
  insert.addEventListener('change', () => {
    if (!insert.value) return;
    const s = /^[A-Za-z_][A-Za-z0-9_.:]*$/.test(insert.value) ? insert.value : '`' + insert.value + '`';
    const a = exprBox.selectionStart, b = exprBox.selectionEnd;
    exprBox.value = exprBox.value.slice(0, a) + s + exprBox.value.slice(b);
    exprBox.focus();
    exprBox.setSelectionRange(a + s.length, a + s.length);
    insert.value = '';
    changed();
  });
  const severity = h('select', {}, h('option', { value: '' }, t('rules.sev.default')), SEVERITIES.map((s) => h('option', { value: s }, t('alerts.sev.' + s))));
  const escRows = [...Array(ESCALATE_MAX).keys()].map((i) => ({
    after: h('input', { type: 'text', size: 8, id: 'rule-esc-after-' + i, placeholder: '60s' }),
    severity: h('select', { id: 'rule-esc-sev-' + i }, SEVERITIES.map((s) => h('option', { value: s }, t('alerts.sev.' + s)))),
  }));
  for (const e of escRows) e.severity.value = 'critical';

  const rows = {
    name: field('name', name), kind: field('kind', kind), signal: field('signal', sigs, t('rules.signal.help')),
    limit: field('limit', text('80')), deadband: field('deadband', text('0')), rate: field('rate', text('1.5')),
    window: field('window', text('1s')), after: field('after', text('30s')), tolerance: field('tolerance', text('0')),
    min: field('min', text()), max: field('max', text()), equals: field('equals', text('2')),
    expr: field('expr', exprBox, t('rules.expr.help')),
    group: field('group', text(), t('rules.group.help')),
    device_kind: field('device_kind', h('select', {}, h('option', { value: '' }, t('rules.anykind')), DEV_KINDS.map((k) => h('option', { value: k }, t('kind.' + k))))),
    device_vendor: field('device_vendor', text('0x002a')), device_label: field('device_label', text('press-*')),
    device: field('device', text('pn:press-*'), t('rules.device.help')),
    severity: field('severity', severity), on_delay: field('on_delay', text('0s')), off_delay: field('off_delay', text('0s')),
  };
  rows.limit.insertBefore(dir, inputs.limit);
  rows.expr.append(caret, insert);
  errs.escalate = h('span', { class: 'error field-error', id: 'rule-err-escalate', role: 'alert' });
  rows.escalate = h('div', { class: 'block rule-field', dataset: { key: 'escalate' } }, h('span', {}, t('rules.f.escalate')),
    escRows.map((e) => h('div', { class: 'esc-row' }, t('rules.esc.after'), ' ', e.after, ' ', e.severity)), errs.escalate);
  rows.devices = h('fieldset', { class: 'picks rule-devices', id: 'rule-devices' }, h('legend', {}, t('rules.devices')),
    h('p', {}, t('rules.devices.help')), rows.group, rows.device_kind, rows.device_vendor, rows.device_label, rows.device);
  // the server names above/below and signal; the form calls them limit and signal
  const alias = { above: 'limit', below: 'limit' };

  function values() {
    const f = { name: name.value, kind: kind.value, dir: dir.value, signals: [...sigs.selectedOptions].map((o) => o.value) };
    for (const k of [...TEXTS, ...GROUP]) f[k] = inputs[k].value;
    f.severity = severity.value;
    f.escalate = escRows.map((e) => ({ after: e.after.value, severity: e.severity.value }));
    return f;
  }
  function fill(f) {
    name.value = f.name;
    name.disabled = !!current;
    kind.value = f.kind;
    dir.value = f.dir || 'above';
    for (const o of sigs.options) o.selected = f.signals.includes(o.value);
    // a stored rule may name signals (or globs) not in the list now
    for (const s of f.signals) if (![...sigs.options].some((o) => o.value === s)) sigs.append(h('option', { value: s, selected: true }, s));
    for (const k of [...TEXTS, ...GROUP]) inputs[k].value = f[k] === undefined ? '' : f[k];
    severity.value = f.severity || '';
    escRows.forEach((e, i) => { const x = f.escalate[i]; e.after.value = x ? x.after : ''; e.severity.value = x ? x.severity : 'critical'; });
    changed();
  }
  function clearErrors() {
    for (const e of Object.values(errs)) e.textContent = '';
    for (const r of Object.values(rows)) r.classList.remove('bad');
    caret.hidden = true;
    status.textContent = '';
    status.className = '';
  }
  function changed() {
    const k = kind.value;
    const specific = new Set(Object.values(KINDS).flat());
    for (const [key, row] of Object.entries(rows)) row.hidden = key === 'signal' || key === 'devices' ? k === 'expr' : specific.has(key) && !KINDS[k].includes(key);
    json.textContent = JSON.stringify(toRule(values()), null, 2);
  }
  // the refusal beside its field; an expression's column marked under it
  function refused(e) {
    const d = e.data || {};
    let key = alias[d.key] || d.key;
    if (!key && /name/.test(d.error || '')) key = 'name';
    if (key && errs[key] && !rows[key].hidden) {
      errs[key].textContent = e.message;
      rows[key].classList.add('bad');
      if (key === 'expr' && d.column > 0) {
        const col = Math.min(d.column, exprBox.value.length + 1);
        caret.textContent = exprBox.value.replace(/\n/g, ' ') + '\n' + ' '.repeat(col - 1) + '^';
        caret.dataset.column = String(d.column);
        caret.hidden = false;
        exprBox.focus();
        exprBox.setSelectionRange(col - 1, Math.min(col, exprBox.value.length));
      } else if (inputs[key]) inputs[key].focus();
    }
    status.className = 'bad';
    status.textContent = key && errs[key] && !rows[key].hidden ? t('rules.seefield', { field: t('rules.f.' + key) }) : e.message;
  }
  async function check() {
    clearErrors();
    try { await post('/analytics/rules/check', toRule(values())); status.className = 'good'; status.textContent = t('rules.ok'); } catch (e) { refused(e); }
  }
  async function save() {
    clearErrors();
    const r = toRule(values());
    try {
      const res = current ? await put('/analytics/rules/' + encodeURIComponent(current), r) : await post('/analytics/rules', r);
      await open(res.name);
      status.className = 'good';
      status.textContent = t('rules.saved', { name: res.name, version: res.version });
      await load();
    } catch (e) { refused(e); }
  }
  async function remove() {
    if (!current) return;
    const ok = await confirmAction({ title: t('rules.delete.title', { name: current }), text: t('rules.delete.text'), ok: t('rules.delete') });
    if (ok === null) return;
    clearErrors();
    try {
      const res = await del('/analytics/rules/' + encodeURIComponent(current));
      toast(t('rules.deleted', { name: current, version: res.version }));
      await open(current);
      await load();
    } catch (e) { refused(e); }
  }
  function describe(r) {
    return r ? JSON.stringify(r) : t('rules.deletedrow');
  }
  async function showAudit(name) {
    if (!app.can('audit.read')) return;
    const target = 'rule ' + name;
    const rows = (await get('/audit?limit=1000')).entries.filter((x) => x.target === target);
    audit.replaceChildren(h('h3', {}, t('rules.audit', { name })), rows.length ? table([t('rules.when'), t('rules.who'), t('rules.action'), t('rules.result'), t('rules.detail')],
      rows.map((x) => [fmtTime(x.ts), x.user, x.action, x.result, typeof x.detail === 'string' ? x.detail : JSON.stringify(x.detail || '')]),
      (i) => ({ dataset: { seq: String(rows[i].seq), result: rows[i].result } })) : h('p', {}, t('rules.noaudit')));
  }
  async function open(rname) {
    clearErrors();
    current = rname;
    const v = (await get('/analytics/rules/' + encodeURIComponent(rname) + '/versions')).versions;
    const live = v[0] && v[0].rule;
    fill(live ? fromRule(rname, v[0].rule) : { ...BLANK, name: rname });
    name.disabled = true;
    versions.replaceChildren(h('h3', {}, t('rules.versions', { name: rname }), live ? '' : ' ' + t('rules.isdeleted')),
      table(['#', t('rules.when'), t('rules.who'), t('rules.action'), t('rules.content'), ''],
        v.map((x) => [x.version, fmtTime(x.ts_ms), x.who, x.action, h('code', {}, describe(x.rule)),
          edit && x.rule && x !== v[0] ? h('button', { class: 'rollback secondary', onclick: async () => {
            try {
              const res = await post('/analytics/rules/' + encodeURIComponent(rname) + '/rollback', { version: x.version });
              await open(rname);
              status.className = 'good';
              status.textContent = t('rules.saved', { name: rname, version: res.version });
              await load();
            } catch (e) { refused(e); }
          } }, t('rules.rollback')) : '']), (i) => ({ dataset: { version: String(v[i].version), action: v[i].action } })));
    try { await showAudit(rname); } catch (e) { audit.replaceChildren(); }
  }
  function fresh() {
    current = null;
    fill(BLANK);
    name.disabled = false;
    clearErrors();
    versions.replaceChildren();
    audit.replaceChildren();
  }
  async function load() {
    const a = await get('/analytics');
    // deleted API rules are gone from /analytics, their history is not
    const mine = (await get('/analytics/rules')).rules.map((x) => x.name);
    list.replaceChildren(table([t('rules.name'), t('rules.kind'), t('rules.source'), t('rules.signals'), t('rules.active')],
      a.rules.map((r) => [r.source === 'api' ? h('a', { href: '#/rules', class: 'rule-open', onclick: (ev) => { ev.preventDefault(); open(r.name); } }, r.name) : r.name,
        t('rules.kind.' + r.kind), t('rules.src.' + r.source), r.signals.join(' ') || r.expr || '', String(r.active.length)]),
      (i) => ({ dataset: { rule: a.rules[i].name, api: String(mine.includes(a.rules[i].name)) } })));
  }
  for (const el of [name, kind, sigs, dir, exprBox, severity, ...Object.values(inputs), ...escRows.flatMap((e) => [e.after, e.severity])]) {
    el.addEventListener('input', changed);
    el.addEventListener('change', changed);
  }
  const form = h('form', { id: 'rule-form', class: 'rule-form', onsubmit: (ev) => { ev.preventDefault(); save(); } },
    rows.name, rows.kind, rows.signal, rows.limit, rows.rate, rows.window, rows.after, rows.tolerance, rows.min, rows.max,
    rows.equals, rows.deadband, rows.expr, rows.devices, rows.severity, rows.on_delay, rows.off_delay, rows.escalate,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'rule-new', class: 'secondary', onclick: fresh }, t('rules.new')),
      h('button', { type: 'button', id: 'rule-check', class: 'secondary', onclick: check }, t('rules.check')),
      h('button', { type: 'submit', id: 'rule-save' }, t('rules.save')),
      h('button', { type: 'button', id: 'rule-delete', class: 'secondary', onclick: remove }, t('rules.delete'))),
    status, h('details', {}, h('summary', {}, t('rules.asjson')), json));
  main.append(h('h1', {}, t('rules.title')), h('div', { class: 'card' }, list),
    edit ? h('div', { class: 'card', id: 'rule-editor' }, h('h2', {}, t('rules.editor')), h('p', {}, t('rules.help')), form, versions, audit) : '');
  fresh();
  await load();
}
