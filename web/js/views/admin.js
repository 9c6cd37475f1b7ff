// Administration: users, roles, tokens and sessions; the audit log; settings.
import { get, post, put, del } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { t, tServer } from '../i18n.js';

const tKnown = (key, raw) => (t(key) === key ? raw : t(key));

const ROLES = ['admin', 'engineer', 'operator', 'viewer', 'auditor'];
// audit results of a request not done (docs/security.md "The audit log's
// result"); refused: rows older than that vocabulary
const NOT_DONE = ['denied', 'fail', 'refused'];
// kiosk: a wall screen's read-only token, never an account's role
const TOKEN_ROLES = [...ROLES, 'kiosk'];
// new users and tokens start at the least privilege

function secretBox(label, value) {
  return h('div', { class: 'card secret' }, h('p', {}, label), h('code', { class: 'once' }, value), h('p', {}, t('users.once')));
}

export async function users(main, app) {
  const admin = app.can('user.admin');
  const out = h('div', {});
  async function load() {
    const u = (await get('/users')).users;
    const roles = (await get('/roles')).roles;
    const parts = [h('h1', {}, t('nav.users')),
      table([t('col.name'), t('col.role'), t('col.mfa'), t('col.state'), t('col.pwchanged'), admin ? t('col.actions') : ''],
        u.map((x) => [x.name,
          admin && x.name !== app.session.user ? h('select', { dataset: { user: x.name }, 'aria-label': t('users.role_of', { name: x.name }), onchange: (ev) => act(put('/users/' + x.name, { role: ev.target.value })) },
            ROLES.map((r) => h('option', { value: r, selected: r === x.role }, t('role.' + r)))) : t('role.' + x.role),
          x.mfa ? '✓' : '-',
          (x.disabled ? t('users.disabled') : t('users.enabled')) + (x.locked ? ' · ' + t('users.locked') : ''),
          fmtTime(x.pw_changed),
          admin && x.name !== app.session.user ? h('span', { class: 'actions' },
            h('button', { onclick: () => act(put('/users/' + x.name, { disabled: !x.disabled })) }, t(x.disabled ? 'users.enable' : 'users.disable')),
            h('button', { onclick: () => act(post('/users/' + x.name + '/reset').then((r) => out.prepend(secretBox(t('users.newpw', { name: r.name }), r.one_time_password)))) }, t('users.reset')),
            h('button', { class: 'danger', onclick: () => confirm(t('users.confirmdel', { name: x.name })) && act(del('/users/' + x.name)) }, t('users.delete'))) : '']))];
    parts.push(h('h2', {}, t('users.roles')),
      table([t('col.role'), t('col.perms'), t('col.mfa')], roles.map((r) => [t('role.' + r.name), r.permissions.join(', '), r.mfa_required ? '✓' : '-'])));
    if (admin) {
      const nf = h('form', { class: 'toolbar', id: 'user-add', onsubmit: (ev) => {
        ev.preventDefault();
        act(post('/users', { name: nf.uname.value, role: nf.role.value }).then((r) => out.prepend(secretBox(t('users.newpw', { name: r.name }), r.one_time_password))));
      } }, h('input', { name: 'uname', required: true, placeholder: t('col.name'), 'aria-label': t('users.newname') }),
      h('select', { name: 'role', 'aria-label': t('col.role') }, ROLES.map((r) => h('option', { value: r, selected: r === 'viewer' }, t('role.' + r)))),
      h('button', { type: 'submit' }, t('users.add')));
      const tokens = (await get('/tokens')).tokens;
      const shared = (await get('/dashboards')).dashboards.filter((d) => d.scope === 'shared');
      // the control grant (docs/devices.md): only a role with device.control may carry it
      const controls = (role) => (roles.find((r) => r.name === role) || { permissions: [] }).permissions.includes('device.control');
      const tf = h('form', { class: 'toolbar', id: 'token-add', onsubmit: (ev) => {
        ev.preventDefault();
        const control = tf.control.checked && controls(tf.role.value);
        const body = { name: tf.tname.value, role: tf.role.value, control };
        // a kiosk token reads only its dashboard (docs/web.md Kiosk)
        if (tf.role.value === 'kiosk') body.dashboard = Number(tf.dashboard.value);
        act(post('/tokens', body).then((r) => out.prepend(secretBox(t('tokens.new', { name: r.name }), r.token))));
      } }, h('input', { name: 'tname', required: true, placeholder: t('col.name'), 'aria-label': t('tokens.newname') }),
      h('select', { name: 'role', 'aria-label': t('col.role'), onchange: () => { tf.control.disabled = !controls(tf.role.value); tf.dashboard.hidden = tf.role.value !== 'kiosk'; } },
        TOKEN_ROLES.map((r) => h('option', { value: r, selected: r === 'viewer' }, t('role.' + r)))),
      h('select', { name: 'dashboard', hidden: true, 'aria-label': t('tokens.dashboard') },
        shared.map((d) => h('option', { value: d.id }, '#' + d.id + ' ' + d.name))),
      h('label', { title: t('tokens.control_help') }, h('input', { type: 'checkbox', name: 'control', disabled: true }), ' ' + t('tokens.control')),
      h('button', { type: 'submit' }, t('tokens.add')));
      const sessions = (await get('/sessions')).sessions;
      parts.push(h('h2', {}, t('users.add')), nf,
        h('h2', {}, t('tokens.title')),
        table([t('col.id'), t('col.name'), t('col.role'), t('tokens.control'), t('tokens.by'), t('tokens.lastused'), ''],
          tokens.map((x) => [x.id, x.name, t('role.' + x.role) + (x.role === 'kiosk' ? ' · ' + (x.dashboard ? t('tokens.dashboard') + ' #' + x.dashboard : t('tokens.unbound')) : ''),
            !x.revoked && (x.control || controls(x.role))
              ? h('input', { type: 'checkbox', checked: x.control, dataset: { token: x.id }, 'aria-label': t('tokens.control_of', { name: x.name }),
                onchange: (ev) => act(put('/tokens/' + x.id, { control: ev.target.checked })) })
              : (x.control ? '✓' : '-'),
            x.created_by, fmtTime(x.last_used),
            x.revoked ? t('tokens.revoked') : h('button', { onclick: () => act(del('/tokens/' + x.id)) }, t('tokens.revoke'))])), tf,
        h('h2', {}, t('sessions.title')),
        table([t('col.name'), t('col.role'), t('sessions.stage'), t('sessions.addr'), t('sessions.last')],
          sessions.map((s) => [s.user, t('role.' + s.role), tKnown('stage.' + s.stage, s.stage), s.addr, fmtTime(s.last_seen)])));
    }
    const keep = [...out.querySelectorAll('.secret')];
    out.replaceChildren(...keep, ...parts);
  }
  async function act(p) {
    try { await p; toast(t('saved')); await load(); } catch (e) { toast(e.message, true); }
  }
  main.append(out);
  await load();
  return null;
}

export async function audit(main) {
  const body = h('div', { id: 'audit-list' });
  const status = h('span', { id: 'audit-status' });
  let oldest = 0;
  async function more(reset) {
    const r = await get('/audit?limit=100' + (reset || !oldest ? '' : '&before=' + oldest));
    if (r.entries.length) oldest = r.entries[r.entries.length - 1].seq;
    const rows = r.entries.map((e) => [e.seq, fmtTime(e.ts), e.user, e.addr, e.action, e.target, h('span', { class: NOT_DONE.includes(e.result) ? 'off' : 'ok' }, tKnown('result.' + e.result, e.result)),
      typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)]);
    const tb = table([t('col.seq'), t('col.time'), t('col.user'), t('col.addr'), t('col.action'), t('col.target'), t('col.result'), t('col.detail')], rows);
    if (reset) body.replaceChildren(tb); else body.append(tb);
  }
  main.append(h('h1', {}, t('nav.audit')),
    h('div', { class: 'toolbar' },
      h('button', { id: 'audit-verify', onclick: async (ev) => {
        // a background job: the chain is walked off the event loop; follow its progress
        const btn = ev.currentTarget;
        btn.disabled = true;
        status.className = '';
        try {
          const j = await post('/audit/verify');
          const cancel = h('button', { id: 'audit-verify-cancel', onclick: () => del('/jobs/' + j.id).catch(() => {}) }, t('audit.cancel'));
          status.after(cancel);
          let v;
          try {
            for (;;) {
              v = await get('/jobs/' + j.id);
              if (v.state !== 'running') break;
              const p = v.progress;
              status.textContent = t('audit.progress', { done: p.done, total: p.total, pct: p.total ? Math.floor(100 * p.done / p.total) : 0 });
              await new Promise((r) => setTimeout(r, 500));
            }
          } finally { cancel.remove(); }
          if (v.state === 'done') {
            const r = v.result;
            status.textContent = r.intact ? t('audit.intact', { n: r.rows }) : t('audit.broken', { why: tServer(r.reason) });
            status.className = r.intact ? 'ok' : 'off';
          } else {
            status.textContent = v.state === 'cancelled' ? t('audit.cancelled') : tServer(v.error || v.state);
            status.className = 'off';
          }
        } catch (e) { toast(e.message, true); } finally { btn.disabled = false; }
      } }, t('audit.verify')), status,
      h('button', { onclick: () => more(true) }, t('audit.refresh'))),
    body, h('button', { onclick: () => more(false) }, t('audit.more')));
  await more(true);
  return null;
}

export async function settings(main, app) {
  const s = (await get('/settings')).settings;
  const can = app.can('settings.write');
  main.append(h('h1', {}, t('nav.settings')), h('div', { class: 'card' }, table([t('col.setting'), t('col.value'), t('col.help'), ''],
    s.map((x) => {
      const input = x.choices ? h('select', { name: x.key, disabled: !can }, x.choices.map((c) => h('option', { value: c, selected: c === x.value }, c)))
        : h('input', { name: x.key, value: x.value, disabled: !can, type: x.min !== undefined ? 'number' : 'text', min: x.min, max: x.max });
      input.id = 'set-' + x.key.replace('.', '-');
      input.setAttribute('aria-label', x.key);
      return [h('code', {}, x.key), input, t('setting.' + x.key) === 'setting.' + x.key ? x.help : t('setting.' + x.key),
        can ? h('button', { id: 'save-' + x.key.replace('.', '-'), onclick: async () => {
          try { await put('/settings', { [x.key]: input.value }); toast(t('saved')); } catch (e) { toast(e.message, true); }
        } }, t('settings.save')) : ''];
    }))));
  return null;
}
