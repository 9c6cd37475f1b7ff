// The single page: session state, hash routing, the live stream.
import { get, post, setCsrf, onUnauthorized } from './api.js';
import * as status from './status.js';
import { loadLang, t, apply } from './i18n.js';
import { toast } from './dom.js';
import * as auth from './views/auth.js';
import * as plant from './views/plant.js';
import * as admin from './views/admin.js';
import * as alerts from './views/alerts.js';
import * as analytics from './views/analytics.js';
import { baseline } from './views/baseline.js';
import * as reports from './views/reports.js';
import { rules } from './views/rules.js';
import { evaluation } from './views/evaluation.js';
import * as dashboards from './views/dashboards.js';
import { kiosk } from './views/kiosk.js';
import * as search from './views/search.js';
import * as fleet from './views/fleet.js';
import { descriptions } from './views/descriptions.js';
import * as navMore from './navmore.js';

export const app = {
  session: null,
  live: null,
  liveSubs: new Set(),
  alertSubs: new Set(),
  can(perm) { return !!(this.session && this.session.permissions.includes(perm)); },
  go(hash) { if (location.hash === hash) route(); else location.hash = hash; },
  setSession(s) {
    this.session = s;
    setCsrf(s && s.csrf);
    const nav = document.getElementById('nav');
    const full = s && s.stage === 'ok' && !s.must_change;
    nav.hidden = !full;
    document.getElementById('logout').hidden = !s;
    document.getElementById('whoami').textContent = s ? s.user + ' (' + t('role.' + s.role) + ')' : '';
    if (s && s.site) document.getElementById('site').textContent = s.site;
    for (const a of nav.querySelectorAll('[data-perm]')) a.hidden = !this.can(a.dataset.perm);
    navMore.update();
    search.searchBar(this, full);
    fleet.fleetBar(this, full);
    if (full) this.startLive(); else this.stopLive();
  },
  startLive() {
    if (this.live) return;
    const es = new EventSource('/api/v1/events');
    this.live = es;
    status.watch(() => { this.setSession(null); this.go('#/login'); });
    es.addEventListener('live', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      status.fresh(d.ts_ms);
      for (const f of this.liveSubs) f(d);
    });
    // CONNECTING: iiotd is gone, the browser retries; CLOSED: it answered
    // but refused the stream (the session ended): ask why
    es.addEventListener('error', () => {
      if (this.live !== es) return;
      status.lost();
      if (es.readyState === EventSource.CLOSED) { this.live = null; es.close(); this.probe(); }
    });
    es.addEventListener('alert', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      for (const f of this.alertSubs) f(d);
    });
    alerts.topbar(this);
  },
  async probe() {
    try {
      await get('/session');
      if (this.session && !this.live) this.startLive();
    } catch (e) {
      if (e.status === 401) { status.expired(); return; }
      setTimeout(() => { if (this.session && !this.live && !status.isExpired()) this.probe(); }, 3000);
    }
  },
  // after a sign-in: back to the page the session expired on
  landing() { return status.signedIn() || '#/overview'; },
  stopLive() { status.unwatch(); if (this.live) { this.live.close(); this.live = null; } },
  onLive(f) { this.liveSubs.add(f); return () => this.liveSubs.delete(f); },
  onAlert(f) { this.alertSubs.add(f); return () => this.alertSubs.delete(f); },
};

const routes = [
  [/^#\/login$/, auth.login],
  [/^#\/mfa$/, auth.mfa],
  [/^#\/enroll$/, auth.enroll],
  [/^#\/password$/, auth.password],
  [/^#\/overview$/, plant.overview],
  [/^#\/devices(?:\?(.*))?$/, plant.devices],
  [/^#\/device\/(\d+)$/, plant.device],
  [/^#\/topology$/, plant.topology],
  [/^#\/descriptions(?:\/(\d+))?$/, descriptions],
  [/^#\/search(?:\?(.*))?$/, search.results],
  [/^#\/fleet(?:\?(.*))?$/, fleet.page],
  [/^#\/users$/, admin.users],
  [/^#\/audit$/, admin.audit],
  [/^#\/settings$/, admin.settings],
  [/^#\/alerts$/, alerts.list],
  [/^#\/alert\/(\d+)$/, alerts.detail],
  [/^#\/oee$/, analytics.oee],
  [/^#\/rules$/, rules],
  [/^#\/baseline$/, baseline],
  [/^#\/reports$/, reports.list],
  [/^#\/evaluation$/, evaluation],
  [/^#\/dashboards$/, dashboards.home],
  [/^#\/dashboards\/list$/, dashboards.list],
  [/^#\/dashboard\/(\d+)$/, dashboards.board],
];

let cleanup = null;
let shown = 0;	// which route() call owns the view

// Where a session in a given stage may be; anything else sends it there.
function gateFor(s) {
  if (!s) return '#/login';
  if (s.stage === 'mfa') return '#/mfa';
  if (s.must_change) return '#/password';
  if (s.stage === 'enroll') return '#/enroll';
  return null;
}

async function route() {
  const hash = location.hash || '#/overview';
  // kiosk mode starts from a fresh page: no session, no header (boot)
  if (hash.startsWith('#/kiosk/')) { location.reload(); return; }
  const gate = gateFor(app.session);
  if (gate && hash !== gate) { location.hash = gate; return; }
  if (!gate && ['#/login', '#/mfa', '#/enroll'].includes(hash)) { location.hash = '#/overview'; return; }
  if (cleanup) { try { cleanup(); } catch (e) { /* view already gone */ } cleanup = null; }
  const mine = ++shown;
  const main = document.getElementById('view');
  main.replaceChildren();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  navMore.close(false);
  navMore.update(hash);
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    try {
      const done = (await view(main, app, ...m.slice(1))) || null;
      // the user moved on while this view was still loading: the newer
      // view owns the page, this one must stop (its timers, its live feed)
      if (mine !== shown) { if (done) done(); return; }
      cleanup = done;
    } catch (e) {
      if (mine !== shown) return;
      if (e.status === 401) { status.expired(); app.setSession(null); app.go('#/login'); return; }
      toast(e.message, true);
    }
    apply(main);
    return;
  }
  location.hash = '#/overview';
}

async function boot() {
  const first = location.hash;
  await loadLang();
  // a wall screen: its token, no session, no navigation.  Kiosk mode starts
  // from a fresh page: one this page turned into while its strings were
  // loading reloads, to read the language (and token) as they are now.
  if (location.hash.startsWith('#/kiosk/')) {
    if (location.hash !== first) location.reload(); else kiosk(app);
    return;
  }
  // any refused call of a signed-in page: the session has ended
  onUnauthorized(() => { if (app.session) { app.stopLive(); status.expired(); } });
  navMore.init();
  const sel = document.getElementById('lang');
  sel.value = document.documentElement.lang;
  sel.addEventListener('change', async () => { await loadLang(sel.value); app.setSession(app.session); route(); });
  document.getElementById('logout').addEventListener('click', async () => {
    try { await post('/logout'); } catch (e) { /* gone already */ }
    app.setSession(null);
    app.go('#/login');
  });
  try { app.setSession(await get('/session')); } catch (e) { app.setSession(null); }
  window.addEventListener('hashchange', route);
  route();
}

boot();
