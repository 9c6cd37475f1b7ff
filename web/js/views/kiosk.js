// Kiosk mode (docs/web.md, "Kiosk"): a wall screen opens
//   https://HOST:8443/#/kiosk/ID?token=iiot_...
// with a kiosk token (read-only: dashboards and what their widgets show).
// The token is kept in this browser and taken out of the address; every
// request carries it instead of a session cookie.  No header, no links,
// no editing; full screen on the first touch.  It keeps itself fresh: the
// live stream reconnects when it ends or goes quiet, the dashboard is
// read again every minute (an edit shows up), and a page that fails to
// draw reloads itself.
import { setBearer } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { board } from './dashboards.js';

const KEY = 'iiot.kiosk.token';
const QUIET_MS = 10000;		// no snapshot for this long: reconnect
const REREAD_MS = 60000;
const RETRY_MS = 10000;

// the live stream with the token: EventSource cannot send a header, so
// fetch reads the stream and this splits its events
function stream(token, onEvent, onState) {
  let ctl = null, quiet = null, wait = 1000, stopped = false;
  const kick = () => { clearTimeout(quiet); quiet = setTimeout(() => ctl && ctl.abort(), QUIET_MS); };
  async function run() {
    ctl = new AbortController();
    kick();
    try {
      const res = await fetch('/api/v1/events', { headers: { Authorization: 'Bearer ' + token }, credentials: 'omit', signal: ctl.signal });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      onState('live');
      wait = 1000;
      const rd = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { done, value } = await rd.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block), data = /^data: (.*)$/m.exec(block);
          if (ev && data) { kick(); onEvent(ev[1], data[1]); }
        }
      }
    } catch (e) { /* ended, refused or gone quiet: try again */ }
    clearTimeout(quiet);
    if (stopped) return;
    onState('lost');
    setTimeout(run, wait);
    wait = Math.min(wait * 2, RETRY_MS);
  }
  run();
  return () => { stopped = true; if (ctl) ctl.abort(); };
}

export async function kiosk(app) {
  const m = location.hash.match(/^#\/kiosk\/(\d+)(?:\?token=([A-Za-z0-9_]+))?$/);
  const main = document.getElementById('view');
  if (m && m[2]) {
    localStorage.setItem(KEY, m[2]);
    history.replaceState(null, '', '#/kiosk/' + m[1]);
  }
  const token = localStorage.getItem(KEY);
  document.body.classList.add('kiosk');
  document.getElementById('top').hidden = true;
  if (!m || !token) {
    main.replaceChildren(h('p', { class: 'card', id: 'kiosk-error' }, t('kiosk.no_token')));
    return;
  }
  setBearer(token);
  document.addEventListener('click', () => { if (!document.fullscreenElement && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {}); });
  const banner = h('div', { id: 'kiosk-state', class: 'banner lost', role: 'status', hidden: true }, t('kiosk.lost'));
  document.body.prepend(banner);
  stream(token, (ev, data) => {
    let d;
    try { d = JSON.parse(data); } catch (e) { return; }
    if (ev === 'live') { for (const f of app.liveSubs) f(d); main.dataset.fresh = String(d.ts_ms); }
    if (ev === 'alert') for (const f of app.alertSubs) f(d);
  }, (s) => { banner.hidden = s === 'live'; document.body.dataset.live = s; });

  let done = null, shown = 0;
  async function show() {
    const fresh = h('div', { id: 'kiosk-board' });
    try {
      const r = await fetch('/api/v1/dashboards/' + m[1], { headers: { Authorization: 'Bearer ' + token }, credentials: 'omit' });
      if (!r.ok) throw Object.assign(new Error(t(r.status === 401 ? 'kiosk.refused' : 'kiosk.unavailable')), { status: r.status });
      const d = await r.json();
      if (d.updated === shown) return;
      const stop = await board(fresh, app, m[1], { kiosk: true });
      if (done) done();
      done = stop;
      shown = d.updated;
      main.replaceChildren(fresh);
      main.dataset.updated = String(d.updated);
    } catch (e) {
      main.replaceChildren(h('p', { class: 'card', id: 'kiosk-error' }, e.message));
      shown = 0;
      // a refused token waits for an admin; anything else reloads the page
      if (e.status !== 401 && e.status !== 403 && e.status !== 404) setTimeout(() => location.reload(), RETRY_MS);
    }
  }
  window.addEventListener('error', () => setTimeout(() => location.reload(), RETRY_MS));
  await show();
  setInterval(show, REREAD_MS);
}
