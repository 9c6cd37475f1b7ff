// Login, second factor, TOTP enrolment and password change.
import { get, post } from '../api.js';
import { h, toast } from '../dom.js';
import { t } from '../i18n.js';

function form(title, fields, submit, onsubmit, extra) {
  const err = h('p', { class: 'error', role: 'alert' });
  const f = h('form', { class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const btn = f.querySelector('button[type=submit]');
    btn.disabled = true;
    try { await onsubmit(f); } catch (e) { err.textContent = e.message; } finally { btn.disabled = false; }
  } },
  h('h1', { 'data-i18n': title }),
  extra || null,
  fields.map(([name, label, type, ac]) => h('label', {}, h('span', { 'data-i18n': label }),
    h('input', { name, type: type || 'text', autocomplete: ac || 'off', required: true }))),
  h('button', { type: 'submit', 'data-i18n': submit }), err);
  return f;
}

async function afterLogin(app, s) {
  app.setSession(s);
  app.go(s.stage === 'mfa' ? '#/mfa' : s.must_change ? '#/password' : s.stage === 'enroll' ? '#/enroll' : app.landing());
}

export async function login(main, app) {
  main.append(form('login.title', [['username', 'login.user', 'text', 'username'],
    ['password', 'login.password', 'password', 'current-password']], 'login.submit', async (f) => {
    const s = await post('/login', { username: f.username.value, password: f.password.value });
    await afterLogin(app, s);
  }));
}

export async function mfa(main, app) {
  main.append(form('mfa.title', [['code', 'mfa.code', 'text', 'one-time-code']], 'mfa.submit', async (f) => {
    const s = await post('/login/totp', { code: f.code.value.trim() });
    await afterLogin(app, s);
  }, h('p', { 'data-i18n': 'mfa.help' })));
}

export async function enroll(main, app) {
  const e = await post('/mfa/enroll');
  const img = h('img', { class: 'qr', alt: 'otpauth QR', src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(e.qr_svg) });
  const secret = h('code', { id: 'totp-secret' }, e.secret);
  const done = h('div', { hidden: true });
  const f = form('enroll.title', [['code', 'mfa.code', 'text', 'one-time-code']], 'enroll.submit', async (fm) => {
    const s = await post('/mfa/confirm', { code: fm.code.value.trim() });
    fm.hidden = true;
    done.hidden = false;
    done.append(h('div', { class: 'card narrow' }, h('h2', { id: 'recovery-title' }, t('enroll.recovery')),
      h('p', {}, t('enroll.recovery_help')),
      h('ul', { class: 'codes', id: 'recovery-codes' }, s.recovery_codes.map((c) => h('li', {}, h('code', {}, c)))),
      h('button', { id: 'enroll-continue', onclick: () => afterLogin(app, s) }, t('enroll.continue'))));
  }, h('div', {}, h('p', { 'data-i18n': 'enroll.help' }), img, h('p', {}, t('enroll.secret') + ' ', secret)));
  main.append(f, done);
}

export async function password(main, app) {
  const s = app.session;
  main.append(form('password.title', [['old', 'password.old', 'password', 'current-password'],
    ['new1', 'password.new', 'password', 'new-password'], ['new2', 'password.repeat', 'password', 'new-password']],
  'password.submit', async (f) => {
    if (f.new1.value !== f.new2.value) throw new Error(t('password.mismatch'));
    const ns = await post('/password', { old: f.old.value, new: f.new1.value });
    toast(t('password.changed'));
    await afterLogin(app, ns);
  }, h('p', {}, s && s.must_change ? t('password.must') : t('password.policy'))));
}

export { get };
