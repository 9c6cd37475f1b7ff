// Never show stale data as live.  The live stream (one event a second) is
// the page's heartbeat: when it stops, or iiotd cannot be reached, a banner
// says since when the data is old and the page is greyed; when the session
// has ended, a banner asks to sign in again and remembers the page, so the
// sign-in returns there.
import { h, fmtClock } from './dom.js';
import { t } from './i18n.js';

const STALE_MS = 3500;		// three missed ticks
const RETURN_KEY = 'iiot.return';

let banner = null;
let lastLive = 0;		// when the last live event arrived (ms)
let dataTs = 0;			// the server's time of the data shown (ms)
let mode = 'ok';		// ok | lost | expired
let timer = null;
let onSignIn = null;

function show(kind, text, action) {
  if (!banner) {
    banner = h('div', { id: 'banner', role: 'alert' });
    document.getElementById('top').after(banner);
  }
  banner.className = 'banner ' + kind;
  banner.dataset.kind = kind;
  banner.replaceChildren(...[h('span', { id: 'banner-text' }, text), action].filter(Boolean));
  banner.hidden = false;
}

function hide() {
  if (banner) { banner.hidden = true; banner.dataset.kind = ''; }
  document.body.classList.remove('stale');
}

function ageText() {
  const s = Math.max(0, Math.round((Date.now() - lastLive) / 1000));
  return t('banner.lost', { time: fmtClock(dataTs || lastLive), age: s });
}

// The stream is down or silent: grey what is shown and say how old it is.
export function lost() {
  if (mode === 'expired') return;
  if (!lastLive) lastLive = Date.now();
  mode = 'lost';
  document.body.classList.add('stale');
  show('lost', ageText());
}

// The session is gone (idle timeout, restart, signed out elsewhere).
export function expired() {
  if (mode === 'expired') return;
  mode = 'expired';
  if (!location.hash.match(/^#\/(login|mfa|enroll|password)$/)) sessionStorage.setItem(RETURN_KEY, location.hash);
  document.body.classList.add('stale');
  show('expired', t('banner.expired'),
    h('button', { id: 'banner-signin', onclick: () => onSignIn && onSignIn() }, t('banner.signin')));
}

// A live event: the data is fresh again.
export function fresh(ts) {
  lastLive = Date.now();
  dataTs = ts || lastLive;
  if (mode !== 'ok') { mode = 'ok'; hide(); }
}

export function isExpired() { return mode === 'expired'; }

// Signed in again: drop the banner; where to go back to.
export function signedIn() {
  mode = 'ok';
  hide();
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return back;
}

// Watch the stream; signIn() is what the banner's button does.
export function watch(signIn) {
  onSignIn = signIn;
  lastLive = Date.now();
  clearInterval(timer);
  timer = setInterval(() => {
    if (mode === 'ok' && Date.now() - lastLive > STALE_MS) lost();
    else if (mode === 'lost') show('lost', ageText());
  }, 1000);
}

export function unwatch() { clearInterval(timer); timer = null; }
