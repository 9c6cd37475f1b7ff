// Browser test of fleet mode's pages (tests/web/fleet.t).  Prints TAP.
//   URL, ENG_PW (the engineer's one-time password), OUT, PROFILE
import { browser, finish, firstSignIn, step } from './harness.mjs';

const { URL, ENG_PW, OUT, PROFILE } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);
const api = (p) => page.evaluate(async (q) => (await fetch('/api/v1' + q)).json(), p);
const status = (p) => page.evaluate(async (q) => (await fetch('/api/v1' + q)).status, p);
// the second edge's ids hold a space, UTF-8 and ':' (tests/web/fleet.t)
const SITE2 = 'Werk Süd 2', IPC2 = 'IPC 2 Straße:α';
const enc = encodeURIComponent;

try {
  await step('engineer signs in', () => firstSignIn(page, URL, 'eng1', ENG_PW, 'process engineer 2026'));
  await step('the platform knows both sites, each IPC online with devices', async () => {
    await poll(async () => {
      const r = await (await fetch('/api/v1/fleet/sites')).json();
      return r.enabled && r.sites.filter((s) => s.nodes_online === 1 && s.devices_online > 0).length === 2;
    }, null, 60000);
  });
  await step('the fleet routes open ids with a space, UTF-8 and ":" percent-encoded', async () => {
    const n = await api('/fleet/sites/' + enc(SITE2) + '/nodes');
    if (n.group !== SITE2 || n.nodes.length !== 1 || n.nodes[0].edge !== IPC2) throw new Error(JSON.stringify(n));
    const d = await api('/fleet/sites/' + enc(SITE2) + '/nodes/' + enc(IPC2) + '/devices');
    if (d.edge !== IPC2 || !d.devices.length) throw new Error(JSON.stringify(d));
    // what MQTT forbids in a topic level is no id: 400, not 404
    for (const bad of ['a%2Bb', 'a%23b', 'a%2Fb']) {
      const s = await status('/fleet/sites/' + bad + '/nodes');
      if (s !== 400) throw new Error(bad + ': ' + s);
    }
    if (await status('/fleet/sites/' + enc('nowhere at all') + '/nodes') !== 404) throw new Error('unknown site');
  });
  await step('the top bar has the site selector: all sites, site1, ' + SITE2, async () => {
    await page.goto(URL + '/#/overview');
    await page.reload();
    await page.waitForSelector('#fleet-site:not([hidden])');
    const opts = await page.$$eval('#fleet-site option', (l) => l.map((o) => o.value));
    if (opts.slice().sort().join() !== ['', 'site1', SITE2].sort().join()) throw new Error(opts.join());
    if (!await page.getAttribute('#fleet-site', 'aria-label')) throw new Error('selector without a label');
    if (await page.isHidden('#nav-fleet')) throw new Error('no Fleet link');
  });
  await step('choosing ' + SITE2 + ' opens its page: ' + IPC2 + ' online, its health in words', async () => {
    await page.selectOption('#fleet-site', SITE2);
    await page.waitForSelector(`#fleet-nodes a[data-node="${IPC2}"]`);
    if (!page.url().endsWith('#/fleet?site=' + enc(SITE2))) throw new Error(page.url());
    const h = await page.getAttribute('#fleet-nodes [data-health]', 'data-health');
    const words = { ok: 'good', warning: 'check', offline: 'offline' };
    // good, or check while the line has open alerts (the drift line does)
    if (!['ok', 'warning'].includes(h) || await page.textContent('#fleet-nodes [data-health]') !== words[h]) throw new Error(h);
  });
  await step("the IPC's devices are the API's", async () => {
    await page.click(`#fleet-nodes a[data-node="${IPC2}"]`);
    await page.waitForSelector('#fleet-devices [data-device]');
    const shown = await page.$$eval('#fleet-devices [data-device]', (l) => l.map((x) => x.dataset.device).sort());
    const want = (await api('/fleet/sites/' + enc(SITE2) + '/nodes/' + enc(IPC2) + '/devices')).devices.map((d) => d.device).sort();
    if (shown.join() !== want.join()) throw new Error(shown.join() + ' vs ' + want.join());
    await shot('01-fleet-ipc2');
  });
  await step('all sites: both listed', async () => {
    await page.selectOption('#fleet-site', '');
    await page.waitForSelector('#fleet-sites a[data-site]');
    const s = await page.$$eval('#fleet-sites a[data-site]', (l) => l.map((x) => x.dataset.site));
    if (s.slice().sort().join() !== ['site1', SITE2].sort().join()) throw new Error(s.join());
  });
  await step('the page in zh-CN', async () => {
    await page.selectOption('#lang', 'zh-CN');
    // the title and the selector's options are drawn apart (the sites
    // come from their own request): wait for both in Chinese
    await poll(() => { const e = document.querySelector('#fleet-title'); const o = document.querySelector('#fleet-site option[value=""]');
      return e && e.textContent === '机群' && o && o.textContent === '全部站点'; }, null, 30000)
      .catch(async (e) => { throw new Error(await page.textContent('#fleet-site option[value=""]') + ': ' + e.message); });
    await shot('02-fleet-zh');
  });
  await step('no console errors (CSP violations, script errors)', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
