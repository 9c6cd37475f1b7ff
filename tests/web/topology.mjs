// Browser test of the drawn topology (tests/web/topology.t).  Prints TAP.
//   URL, ENG_PW (the engineer's one-time password), OUT, PROFILE
import fs from 'node:fs';
import path from 'node:path';
import { browser, finish, firstSignIn, step } from './harness.mjs';

const { URL, ENG_PW, OUT, PROFILE } = process.env;
const { ctx, page, consoleErrors, poll } = await browser(OUT, PROFILE);
// the drawing alone: a full-page shot of 1,040 devices' lists times out
const drawing = (name) => page.locator('#topo-card').screenshot({ path: path.join(OUT, name + '.png'), timeout: 60000 });
const api = (p) => page.evaluate(async (q) => (await fetch('/api/v1' + q)).json(), p);

try {
  await step('engineer signs in', () => firstSignIn(page, URL, 'eng1', ENG_PW, 'process engineer 2026'));
  let devices = [];
  await step('iiotd knows the large line: 1,040 devices and more (controllers)', async () => {
    await poll(async () => {
      const r = await fetch('/api/v1/topology');
      const t = await r.json();
      return t.nodes.filter((n) => n.device).length >= 1040 &&
        t.links.filter((l) => l.kind === 'lldp').length >= 4 * 61;
    }, null, 60000);
    devices = (await api('/devices?limit=10000')).devices;
    if (devices.length < 1040) throw new Error(devices.length + ' devices');
  });
  await step('every device is a node of the drawing', async () => {
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('#topo-svg g[data-node]');
    const drawn = new Set(await page.$$eval('#topo-svg g[data-device]', (l) => l.map((g) => Number(g.dataset.device))));
    const missing = devices.filter((d) => !drawn.has(d.id)).map((d) => d.label);
    if (missing.length) throw new Error(missing.length + ' devices not drawn: ' + missing.slice(0, 5).join(', '));
    await drawing('01-topology');
  });
  await step('EtherCAT chains: every slave on a cable, 4 x 200 cables', async () => {
    const n = await page.$$eval('#topo-svg line.cable', (l) => l.filter((x) => x.dataset.a.startsWith('d') && x.dataset.b.startsWith('d')).length);
    const t = await api('/topology');
    const ecat = t.links.filter((l) => l.kind === 'ecat').length;
    if (ecat !== 800) throw new Error(ecat + ' EtherCAT cables');
    if (n < ecat) throw new Error(n + ' cables drawn');
  });
  await step('the switches only LLDP knows are drawn, in words', async () => {
    const sw = await page.$$eval('#topo-svg g[data-node^="lldp:sw-"] title', (l) => l.map((x) => x.textContent));
    if (sw.length !== 4) throw new Error(sw.length + ' switches: ' + sw.join(' | '));
    if (!sw.every((x) => x.includes('Switch (from LLDP)'))) throw new Error(sw[0]);
  });
  await step('a node says its state in words, and every cable its state', async () => {
    const label = await page.getAttribute('#topo-svg a.tfocus >> nth=0', 'aria-label');
    if (!/, (good|check|fault|offline)/.test(label)) throw new Error(label);
    const states = await page.$$eval('#topo-svg line.cable', (l) => [...new Set(l.map((x) => x.dataset.state))]);
    if (!states.every((s) => ['up', 'down', 'fault'].includes(s))) throw new Error(states.join());
  });
  await step('keyboard: Tab reaches the drawing, arrows move, Enter opens the device', async () => {
    await page.focus('#topo-svg .tfocus >> nth=0');
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => document.activeElement.getAttribute('href'));
    const want = await page.getAttribute('#topo-svg .tfocus >> nth=1', 'href');
    if (!second || second !== want) throw new Error('focus on ' + second + ', want ' + want);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dev-title');
    if (!page.url().endsWith(second)) throw new Error(page.url());
  });
  await step('the device renamed in place by keyboard; its alias shown in the list, search and drawing', async () => {
    const id = Number(page.url().split('/').pop());
    const label = (await api('/devices/' + id)).label;
    const name = 'Presse 7 压机';
    await page.focus('#dev-rename');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dev-alias');
    if (await page.evaluate(() => document.activeElement.id) !== 'dev-alias') throw new Error('the field is not focused');
    await page.keyboard.type('gone');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dev-rename');
    if ((await api('/devices/' + id)).alias !== undefined) throw new Error('Escape saved');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dev-alias');
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await poll((n) => { const e = document.querySelector('#dev-name'); return e && e.textContent.startsWith(n); }, name, 30000);
    const shown = await page.textContent('#dev-name .dev-label');
    if (shown !== label) throw new Error('label beside the alias: ' + shown);
    if ((await api('/devices/' + id)).alias !== name) throw new Error('not saved');
    await page.screenshot({ path: path.join(OUT, '03-device-alias.png') });
    await page.goto(URL + '/#/devices?q=' + encodeURIComponent('presse 7'));
    await poll((n) => [...document.querySelectorAll('#dev-list tbody tr')].map((r) => r.textContent).join('|').includes(n), name, 30000);
    await page.fill('#topsearch-q', 'Presse 7');
    await page.press('#topsearch-q', 'Enter');
    await page.waitForSelector('#search-devices a[data-device]');
    const found = await page.$$eval('#search-devices a[data-device]', (l) => l.map((a) => a.textContent));
    if (found.length !== 1 || !found[0].startsWith(name) || !found[0].includes(label)) throw new Error(found.join('|'));
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('#topo-svg g[data-device="' + id + '"]');
    const words = await page.textContent('#topo-svg g[data-device="' + id + '"] title');
    if (!words.startsWith(name + ' (' + label + ')')) throw new Error(words);
  });
  await step('descriptions: the project\'s files imported by picker and by drop, listed and shown; bad XML names its line; removed', async () => {
    const dir = path.join(process.env.IIOT_TOP, 'etc', 'descriptions');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
    await page.goto(URL + '/#/descriptions');
    await page.waitForSelector('#desc-file');
    for (const f of files.slice(0, -1)) {
      await page.setInputFiles('#desc-file', path.join(dir, f));
      await page.waitForSelector('#desc-title');
      await poll((n) => [...document.querySelectorAll('#desc-list td')].some((td) => td.textContent === n), f, 20000);
    }
    // the last one dropped onto the drop zone
    const last = files[files.length - 1];
    const xml = fs.readFileSync(path.join(dir, last), 'utf8');
    const dt = await page.evaluateHandle(([name, text]) => { const d = new DataTransfer(); d.items.add(new File([text], name, { type: 'text/xml' })); return d; }, [last, xml]);
    await page.dispatchEvent('#desc-drop', 'drop', { dataTransfer: dt });
    await poll((n) => [...document.querySelectorAll('#desc-list td')].some((td) => td.textContent === n), last, 20000);
    const kinds = await page.$$eval('#desc-list tr.desc-row', (l) => l.map((r) => r.dataset.kind).sort().join());
    if (kinds !== 'eni,esi,gsdml') throw new Error('kinds listed: ' + kinds);
    await page.click('#desc-list a[data-desc] >> nth=0');
    await page.waitForSelector('#desc-show .desc-device table td');
    const sigs = await page.$$eval('#desc-show .desc-group td:first-child', (l) => l.length);
    if (!sigs) throw new Error('no signals shown');
    await page.screenshot({ path: path.join(OUT, '04-descriptions.png') });
    await page.setInputFiles('#desc-file', { name: 'broken.xml', mimeType: 'text/xml', buffer: Buffer.from('<?xml version="1.0"?>\n<ISO15745Profile>\n  <a>\n</ISO15745Profile>\n') });
    await poll(() => /line \d+/.test(document.querySelector('#desc-error').textContent), null, 20000);
    const e = await page.textContent('#desc-error');
    if (!e.startsWith('broken.xml: ')) throw new Error(e);
    const n = await page.$$eval('#desc-list tr.desc-row', (l) => l.length);
    await page.click('#desc-list button[data-remove] >> nth=0');
    await page.waitForSelector('#confirm-ok');
    await page.keyboard.press('Enter');
    await poll((k) => document.querySelectorAll('#desc-list tr.desc-row').length === k, n - 1, 20000);
  });
  await step('the top bar searches devices: a MAC, Enter, the matches link to their device', async () => {
    await page.goto(URL + '/#/overview');
    await page.waitForSelector('#topsearch-q');
    if (!await page.getAttribute('#topsearch-q', 'aria-label')) throw new Error('search box without a label');
    await page.fill('#topsearch-q', '00:0E:8C:20:01:0');
    await page.press('#topsearch-q', 'Enter');
    await page.waitForSelector('#search-devices a[data-device]');
    const n = await page.$$eval('#search-devices a[data-device]', (l) => l.length);
    if (n !== 15) throw new Error(n + ' devices found, want 15 (…:01:01 to …:01:0f)');
    const href = await page.getAttribute('#search-devices a[data-device] >> nth=0', 'href');
    await page.click('#search-devices a[data-device] >> nth=0');
    await page.waitForSelector('#dev-title');
    if (!page.url().endsWith(href)) throw new Error(page.url());
  });
  await step('the page in zh-CN', async () => {
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('#topo-svg g[data-node]');
    await page.selectOption('#lang', 'zh-CN');
    await poll(() => { const e = document.querySelector('#topo-card h2'); return e && e.textContent === '布线图'; }, null, 30000);
    const legend = await page.textContent('#topo-legend');
    if (!legend.includes('良好') || !legend.includes('线缆断开')) throw new Error(legend);
    await drawing('02-topology-zh');
    const ph = await page.getAttribute('#topsearch-q', 'aria-label');
    if (ph !== '搜索设备、信号和告警') throw new Error(ph);
  });
  await step('no console errors (CSP violations, script errors)', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
