// bench/dashboard.bench's browser part: a kiosk page of DASH (20 charts of
// 10 signals each) in Debian's chromium at 1366x768.  The live stream is
// fed at RATE Hz from inside the page (iiotd sends one snapshot a second;
// the bar is about drawing), every other request goes to the real iiotd.
// Prints one JSON object: fps with the feed and without, the API calls'
// p99 (request sent to response end, the browser's own queueing left out)
// and that of GET /health beside them.
//   URL, DASH, TOKEN, SIGNALS (comma-separated ids), RATE, SECONDS, PROFILE
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../web/package.json'));
const { chromium } = require('playwright-core');
const { URL, DASH, TOKEN, SIGNALS, RATE, SECONDS, PROFILE } = process.env;

const ctx = await chromium.launchPersistentContext(PROFILE, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 },
});
const page = ctx.pages()[0] || await ctx.newPage();
// the feed: window.fetch of /api/v1/events answers a stream of 'live'
// snapshots of every signal at RATE Hz (a sine each), until feed.on is false
await page.addInitScript(([ids, rate]) => {
  const real = window.fetch.bind(window);
  window.__feed = { on: true, sent: 0 };
  window.fetch = (u, o) => {
    if (!String(u).endsWith('/api/v1/events')) return real(u, o);
    const enc = new TextEncoder();
    let timer = null;
    const body = new ReadableStream({
      start(c) {
        timer = setInterval(() => {
          if (!window.__feed.on) return;
          const ts = Date.now();
          const sigs = ids.map((id, i) => [id, 1, Math.sin(ts / 1000 + i) * 50 + 50, ts]);
          c.enqueue(enc.encode('event: live\ndata: ' + JSON.stringify({ ts_ms: ts, devices: [], signals: sigs, links: [] }) + '\n\n'));
          window.__feed.sent++;
        }, 1000 / rate);
      },
      cancel() { clearInterval(timer); },
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }));
  };
}, [SIGNALS.split(',').map(Number), Number(RATE)]);

await page.goto(URL + '/#/kiosk/' + DASH + '?token=' + TOKEN);
// (waitForFunction evaluates a string, which iiot's CSP forbids: poll)
for (let end = Date.now() + 60000; ;) {
  if (await page.evaluate(() => document.querySelectorAll('#kiosk-board .w-plot[data-history]').length) === 20) break;
  if (Date.now() > end) throw new Error('the 20 charts did not load');
  await page.waitForTimeout(200);
}
const p99 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]; };
const fps = (secs) => page.evaluate((s) => new Promise((res) => {
  let n = 0;
  const t0 = performance.now();
  const f = () => { n++; if (performance.now() - t0 < s * 1000) requestAnimationFrame(f); else res(n / ((performance.now() - t0) / 1000)); };
  requestAnimationFrame(f);
}), secs);
await page.waitForTimeout(2000);
const drawn = () => page.evaluate(() => [...document.querySelectorAll('#kiosk-board .w-plot')].reduce((n, e) => n + Number(e.dataset.draws || 0), 0));
const before = await page.evaluate(() => window.__feed.sent);
const d0 = await drawn();
const live = await fps(Number(SECONDS));
const sent = await page.evaluate(() => window.__feed.sent) - before;
const draws = (await drawn() - d0) / 20 / Number(SECONDS);
const points = await page.evaluate(() => Math.min(...[...document.querySelectorAll('#kiosk-board .w-plot')].map((e) => Number(e.dataset.points))));
await page.evaluate(() => { window.__feed.on = false; });
await page.waitForTimeout(500);
const idle = await fps(5);
const calls = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/') && !e.name.endsWith('/events'))
  .map((e) => [new URL(e.name).pathname.replace(/\/\d+/g, '/ID'), e.responseEnd - e.requestStart, e.requestStart, e.responseStart - e.requestStart]));
console.error('slowest: ' + JSON.stringify(calls.slice().sort((a, b) => b[1] - a[1]).slice(0, 6).map((c) => [c[1].toFixed(0), 'at ' + c[2].toFixed(0), 'ttfb ' + c[3].toFixed(0)])));
const api = calls.map((c) => c[1]);
const byRoute = {};
for (const [r, ms] of calls) (byRoute[r] = byRoute[r] || []).push(ms);
for (const [r, xs] of Object.entries(byRoute)) console.error(r + ': ' + xs.length + ' calls, p99 ' + p99(xs).toFixed(1) + ' ms, median ' + [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1) + ' ms');
const health = await page.evaluate(async () => {
  const out = [];
  for (let i = 0; i < 50; i++) { const t0 = performance.now(); await (await fetch('/api/v1/health')).json(); out.push(performance.now() - t0); }
  return out;
});
console.log(JSON.stringify({ fps: live, idle_fps: idle, snapshots: sent, chart_draws_per_s: draws, min_points: points, api_calls: api.length, api_p99: p99(api), health_p99: p99(health) }));
await ctx.close();
