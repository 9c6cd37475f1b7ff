// Browser test: Debian's chromium, headless, driven by playwright-core,
// against a real iiotd fed by the line simulator.  Prints TAP.
//   URL, ADMIN_PW, OUT (screenshot folder), PROFILE (fresh user-data-dir)
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { browser, finish, step } from './harness.mjs';

function totp(secret) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, val = 0;
  const bytes = [];
  for (const c of secret) { val = (val << 5) | alpha.indexOf(c); bits += 5; if (bits >= 8) { bytes.push((val >>> (bits - 8)) & 255); bits -= 8; } }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const h = createHmac('sha1', Buffer.from(bytes)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const { URL, ADMIN_PW, OUT, PROFILE, D, IIOTD_PID, IIOTD_BIN, IIOTD_CONF2, SIM_PID, SIM_BIN, SIM_SCENARIO, RING } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);
const text = (sel) => page.$eval(sel, (e) => e.textContent).catch(() => '');

// Accessibility of what is on screen: every form control has a label, and
// all visible text has at least 4.5:1 contrast against its background
// (WCAG 2.1 AA).  Returns a list of offenders.
async function a11y() {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || !el.getClientRects().length) continue;
      if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        bad.push('no label: ' + el.outerHTML.slice(0, 80));
    }
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    for (const el of document.querySelectorAll('body *')) {
      if (!el.getClientRects().length || el.closest('[disabled], .u-legend, .u-title, svg, canvas')) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden') continue;
      const fg = rgb(st.color).slice(0, 3), bg = bgOf(el);
      const a = lum(fg), b = lum(bg);
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) bad.push(ratio.toFixed(2) + ':1 ' + el.tagName.toLowerCase() + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + st.color + ' on rgb(' + bg.join(',') + ')');
    }
    return bad;
  });
}
async function expectA11y(where) {
  const bad = await a11y();
  if (bad.length) throw new Error(where + ': ' + bad.slice(0, 8).join('\n'));
}

try {
  await step('login page served over HTTPS', async () => {
    await page.goto(URL + '/');
    await page.waitForSelector('input[name=username]');
    await shot('01-login');
  });
  await step('sign-in page: no navigation links, every input labelled, contrast', async () => {
    const nav = await page.$$eval('#nav a', (l) => l.filter((a) => a.getClientRects().length).map((a) => a.textContent));
    if (nav.length) throw new Error('navigation shown before sign-in: ' + nav.join(', '));
    await expectA11y('sign-in');
  });
  await step('first login: one-time password, then a new password', async () => {
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PW);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=new1]');
    const nav = await page.$$eval('#nav a', (l) => l.filter((a) => a.getClientRects().length).length);
    if (nav) throw new Error(nav + ' navigation links on the forced password change');
    await expectA11y('password change');
    await page.fill('input[name=old]', ADMIN_PW);
    await page.fill('input[name=new1]', 'plant supervisor 2026');
    await page.fill('input[name=new2]', 'plant supervisor 2026');
    await page.click('button[type=submit]');
  });
  let secret = '';
  let recovery = [];
  await step('TOTP enrolment: QR code and secret shown, code accepted, recovery codes', async () => {
    await page.waitForSelector('#totp-secret');
    secret = (await page.textContent('#totp-secret')).trim();
    if (secret.length !== 32) throw new Error('secret ' + secret);
    const qr = await page.$eval('img.qr', (i) => i.naturalWidth);
    if (!qr) throw new Error('QR image did not render');
    await shot('02-enroll');
    await page.fill('input[name=code]', totp(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('#recovery-codes li');
    const codes = await page.$$eval('#recovery-codes li', (l) => l.length);
    if (codes !== 10) throw new Error(codes + ' recovery codes');
    recovery = await page.$$eval('#recovery-codes li', (l) => l.map((e) => e.textContent.trim()));
    const title = (await page.textContent('#recovery-title')).trim();
    if (title !== 'Recovery codes') throw new Error('recovery codes heading: "' + title + '"');
    await shot('02b-recovery-codes');
    await page.click('#enroll-continue');
    await page.waitForSelector('#ov-devices');
  });
  await step('log out, log in again with password + TOTP', async () => {
    await page.click('#logout');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'plant supervisor 2026');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    // the enrolment used this step's code: wait for a fresh one
    const wait = 30500 - (Date.now() % 30000);
    await page.waitForTimeout(wait);
    await page.fill('input[name=code]', totp(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('#ov-devices');
    await shot('03-overview');
  });
  await step('overview rings show NIC losses only where the source reports them', async () => {
    await page.goto(URL + '/#/overview');
    await page.waitForSelector('#ov-rings td');
    const heads = await page.$$eval('#ov-rings th', (l) => l.map((e) => e.textContent));
    const col = heads.indexOf('NIC lost') + 1;
    if (!col) throw new Error('headers ' + heads.join(','));
    const cell = await page.$eval('#ov-rings tr td:nth-child(' + col + ')', (e) => e.textContent);
    if (cell !== '-') throw new Error('simulated ring NIC lost = ' + cell);
  });
  await step('simulated devices appear in the inventory', async () => {
    // the list follows the live stream; a reload also shows what has arrived
    let seen = false;
    for (let i = 0; i < 4 && !seen; i++) {
      await page.goto(URL + '/#/devices');
      await page.reload();
      seen = await poll(() => document.querySelectorAll('tr.dev-row').length >= 10, null, 10000).then(() => true, () => false);
    }
    if (!seen) throw new Error('fewer than 10 devices after 40 s');
    const online = await page.$$eval('span.ok[data-f=state]', (l) => l.length);
    if (online < 5) throw new Error(online + ' online');
    const health = await page.$$eval('[data-f=health]', (l) => l.map((e) => e.textContent));
    if (health.length < 10 || !health.every((x) => /^\d{1,3} · (good|check|fault)$/.test(x))) throw new Error('health column ' + health);
    await shot('04-devices');
  });
  await step('search filters the inventory', async () => {
    await page.fill('#dev-search', 'zzz-no-such-device');
    await poll(() => document.querySelectorAll('tr.dev-row').length === 0);
    await page.fill('#dev-search', '');
    await poll(() => document.querySelectorAll('tr.dev-row').length >= 10);
  });
  await step('devices: server-side paging, sorting by every column, search, labelled filters, CSV', async () => {
    await page.goto(URL + '/#/devices?limit=50');
    await page.waitForSelector('tr.dev-row');
    await page.selectOption('#dev-size', '50');
    // a page of 5 is not offered: ask the API for the same the UI asks, and
    // check the pager against a small page through the URL
    await page.goto(URL + '/#/devices?sort=-id');
    await page.reload();
    await page.waitForSelector('tr.dev-row');
    // the page shows the server's answer, newest id first; the count comes
    // from the server too (the small cell has 14 devices, more if a line
    // under load shows one twice: the rows are then in the failure message)
    const all = await page.evaluate(async () => (await (await fetch('/api/v1/devices?sort=-id&limit=100')).json()).devices.map((d) => d.id));
    if (all.length < 14 || all.join() !== [...all].sort((a, b) => b - a).join()) throw new Error('API sort=-id: ' + all.join());
    const N = all.length;
    await poll(async (n) => {
      const ids = [...document.querySelectorAll('tr.dev-row')].map((tr) => Number(tr.dataset.id));
      return ids.length === n && ids.join() === [...ids].sort((a, b) => b - a).join();
    }, N);
    const cols = await page.$$eval('th button.sort', (l) => l.map((b) => b.dataset.col));
    for (const c of cols) {
      await page.click('th button.sort[data-col="' + c + '"]');
      await poll((col) => location.hash.includes('sort=' + col) && document.querySelector('th[aria-sort=ascending] button.sort').dataset.col === col, c);
      const q = await page.evaluate(() => location.hash.split('?')[1]);
      if (c === 'health') {
        // scores move with the line (jitter on a loaded machine): the page
        // must be in the order of the scores it shows
        await poll(() => { const v = [...document.querySelectorAll('[data-f=health]')].map((e) => parseInt(e.textContent, 10));
          return v.length > 1 && v.join() === [...v].sort((a, b) => a - b).join(); });
      } else {
        // live columns (frames, last seen) reorder rows between two reads:
        // compare the page with a fresh answer from the API each time
        await poll(async (qs) => {
          const want = (await (await fetch('/api/v1/devices?' + qs)).json()).devices.map((d) => d.id);
          return [...document.querySelectorAll('tr.dev-row')].map((tr) => Number(tr.dataset.id)).join() === want.join();
        }, q);
      }
      await page.click('th button.sort[data-col="' + c + '"]');
      await poll((col) => location.hash.includes('sort=-' + col) && document.querySelector('th[aria-sort=descending]'), c);
    }
    await page.click('th button.sort[data-col=label]');
    await page.selectOption('#dev-kind', 'ecat-slave');
    await poll(() => document.querySelectorAll('tr.dev-row').length === 8 && location.hash.includes('kind=ecat-slave'));
    await page.selectOption('#dev-kind', '');
    await page.selectOption('#dev-state', 'offline');
    await poll(() => document.querySelectorAll('tr.dev-row').length === 0 && /0\D+0 of 0/.test(document.getElementById('dev-count').textContent));
    await page.selectOption('#dev-state', '');
    const sa = await page.evaluate(async () => (await (await fetch('/api/v1/devices?kind=ecat-slave&sort=station_addr&limit=1')).json()).devices[0]);
    await page.fill('#dev-search', '0x' + sa.station_addr.toString(16).padStart(4, '0'));
    await poll(([id, n]) => [...document.querySelectorAll('tr.dev-row')].some((tr) => Number(tr.dataset.id) === id) &&
      document.querySelectorAll('tr.dev-row').length < n, [sa.id, N]);
    const addr = await page.$eval('tr.dev-row[data-id="' + sa.id + '"] td:nth-child(6)', (e) => e.textContent);
    if (!/^0x[0-9A-F]{4}$/.test(addr)) throw new Error('station address shown as ' + addr);
    await page.fill('#dev-search', '');
    await poll((n) => document.querySelectorAll('tr.dev-row').length === n, N);
    const href = await page.$eval('#dev-csv', (a) => a.href);
    const csv = await page.evaluate(async (u) => { const r = await fetch(u); return [r.headers.get('content-type'), await r.text()]; }, href);
    if (!csv[0].startsWith('text/csv') || csv[1].trim().split('\n').length !== N + 1) throw new Error('CSV ' + csv[0] + ' ' + csv[1].split('\n').length + ' lines');
    await page.goto(URL + '/#/devices?limit=50&offset=10');
    await page.reload();
    await poll((n) => document.querySelectorAll('tr.dev-row').length === n - 10, N);
    if (!(await page.$eval('#dev-next', (b) => b.disabled))) throw new Error('next page offered past the end');
    await page.click('#dev-prev');
    await poll((n) => document.querySelectorAll('tr.dev-row').length === n, N);
    await expectA11y('devices');
    await shot('04b-devices-sorted');
  });
  await step('a device list left before its answer came does not take the URL back', async () => {
    // the bug: the first list's late answer rewrote the URL of the view
    // that replaced it, so a reload showed the old sort
    const slow = (r) => setTimeout(() => r.continue().catch(() => {}), 1500);
    await page.route(/\/api\/v1\/devices\?.*sort=label/, slow);
    try {
      await page.evaluate(() => { location.hash = '#/devices?sort=label'; });
      await page.waitForTimeout(100);
      await page.evaluate(() => { location.hash = '#/devices?sort=-id'; });
      await page.waitForTimeout(2500);
      const hash = await page.evaluate(() => location.hash);
      if (!hash.includes('sort=-id')) throw new Error('URL taken back to ' + hash);
      const ids = await page.$$eval('tr.dev-row', (l) => l.map((tr) => Number(tr.dataset.id)));
      if (ids.length < 2 || ids.join() !== [...ids].sort((a, b) => b - a).join()) throw new Error('rows ' + ids.join());
    } finally {
      await page.unroute(/\/api\/v1\/devices\?.*sort=label/, slow);
    }
  });
  await step('device detail: identity, and its live chart moves', async () => {
    const id = await page.$eval('tr.dev-row', () => {
      for (const tr of document.querySelectorAll('tr.dev-row'))
        if (tr.textContent.includes('EtherCAT master') || tr.textContent.includes('ecat-master')) return tr.dataset.id;
      return null;
    });
    if (!id) throw new Error('no EtherCAT master in the list');
    await page.goto(URL + '/#/device/' + id);
    await page.waitForSelector('#dev-title');
    await page.waitForSelector('.chart canvas');
    const first = await page.$eval('.chart', (c) => Number(c.dataset.last || 0));
    await poll((f) => Number(document.querySelector('.chart').dataset.last || 0) > f && Number(document.querySelector('.chart').dataset.points) >= 2,
      first, 15000);
    const charts = await page.$$eval('.chart', (l) => l.length);
    // its health: the score with its grade in words, what lowered it (or
    // that nothing did), and each link's score beside its statistics
    const score = await text('#dev-health-score');
    if (!/^\d{1,3} · (good|check|fault)$/.test(score)) throw new Error('health shown as ' + score);
    const api = await page.evaluate(async (i) => (await (await fetch('/api/v1/devices/' + i + '/health')).json()), id);
    if (api.reasons.length !== await page.$$eval('#dev-health-reasons li', (l) => l.length)) {
      if (api.reasons.length || !(await page.$('#dev-health-reasons.health-none'))) throw new Error('reasons ' + JSON.stringify(api.reasons));
    }
    if (!(await page.$$eval('[data-link] ', (l) => l.length))) throw new Error('no link health in the links table');
    await page.waitForTimeout(1500);
    await shot('05-device');
    if (charts < 2) throw new Error(charts + ' charts');
  });
  await step('trend view: range picker, several signals on one chart, digital as steps, zoom, pan, CSV', async () => {
    await page.waitForSelector('#trend-chart canvas');
    await poll(() => Number(document.getElementById('trend-chart').dataset.points) > 0, null, 20000);
    const sigs = await page.$$eval('#trend input[type=checkbox]', (l) => l.map((c) => [c.id, c.checked]));
    if (sigs.length < 3) throw new Error(sigs.length + ' signals offered');
    for (const [id] of sigs) await page.check('#' + id);
    await poll((n) => document.getElementById('trend-chart').dataset.series === String(n), sigs.length);
    // one legend entry per signal, digital ones marked 0/1, one axis per unit
    const legend = await page.$$eval('#trend-chart .u-legend .u-series', (l) => l.length - 1);
    if (legend !== sigs.length) throw new Error(legend + ' series for ' + sigs.length + ' signals');
    const dig = await page.$$eval('#trend fieldset label', (l) => l.filter((e) => e.textContent.includes('di_1_bit0 (0/1)')).length);
    if (dig !== 1) throw new Error('the digital signal is not marked 0/1');
    const axes = await page.$$eval('#trend-chart .u-axis', (l) => l.length);
    if (axes < 3) throw new Error(axes + ' axes: want time, and one per unit (V, mbar, 0/1, value)');
    const ranges = await page.$$eval('#trend-range option', (l) => l.map((o) => o.value));
    if (ranges.join() !== '15m,1h,6h,24h,7d,custom') throw new Error('ranges ' + ranges);
    await page.selectOption('#trend-range', '15m');
    await poll(() => { const b = document.getElementById('trend-chart').dataset; return Number(b.to) - Number(b.from) <= 15 * 60000 + 2000; });
    const w0 = await page.$eval('#trend-chart', (b) => Number(b.dataset.to) - Number(b.dataset.from));
    // drag across the middle third of the plot: zooms into it
    const over = await page.$eval('#trend-chart .u-over', (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
    await page.mouse.move(over[0] + over[2] / 3, over[1] + over[3] / 2);
    await page.mouse.down();
    await page.mouse.move(over[0] + over[2] * 2 / 3, over[1] + over[3] / 2, { steps: 5 });
    await page.mouse.up();
    await poll((w) => { const b = document.getElementById('trend-chart').dataset; return Number(b.to) - Number(b.from) < w / 2; }, w0);
    if (await page.$eval('#trend-range', (s) => s.value) !== 'custom') throw new Error('zoom did not switch to a from/to range');
    const z = await page.$eval('#trend-chart', (b) => [Number(b.dataset.from), Number(b.dataset.to)]);
    await page.click('#trend-earlier');
    await poll((a) => Number(document.getElementById('trend-chart').dataset.to) < a[1] - (a[1] - a[0]) / 4, z);
    const from = await page.$eval('#trend-from', (i) => i.value);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(from)) throw new Error('from field ' + from);
    const label = await page.textContent('label[for=trend-from]');
    if (!/\(UTC|GMT/.test(label)) throw new Error('from label without its zone: ' + label);
    await page.selectOption('#trend-range', '15m');
    await poll(() => Number(document.getElementById('trend-chart').dataset.points) > 0);
    const width = await page.$eval('#trend-chart', (b) => [b.querySelector('canvas').getBoundingClientRect().width, document.querySelector('main').clientWidth]);
    if (width[0] < width[1] * 0.8) throw new Error('chart ' + width[0] + ' px wide in a ' + width[1] + ' px page');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#trend-csv')]);
    const csvPath = path.join(OUT, 'trend.csv');
    await dl.saveAs(csvPath);
    const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8').trim().split('\r\n');
    if (!csv[0].startsWith('time_utc,') || csv[0].split(',').length !== sigs.length + 1 || csv.length < 3) throw new Error('CSV: ' + csv.slice(0, 2).join(' | '));
    await expectA11y('trend view');
    await page.$eval('#trend', (e) => e.scrollIntoView());
    await shot('05c-trend');
  });
  await step('lifecycle change asks for confirmation and a reason; cancel changes nothing', async () => {
    const before = await page.$eval('#dev-lifecycle', (e) => e.value);
    const want = before === 'pending' ? 'commissioned' : 'pending';
    await page.selectOption('#dev-lifecycle', want);
    await page.waitForSelector('dialog.confirm[open]');
    const text = await page.textContent('#confirm-text');
    if (!text.includes('pending') || !text.includes('commissioned')) throw new Error('dialog says: ' + text);
    if (await page.$eval('#dev-lifecycle', (e) => e.value) !== before) throw new Error('select moved before confirmation');
    await expectA11y('confirmation dialog');
    await shot('05b-lifecycle-confirm');
    await page.click('#confirm-cancel');
    await poll(() => !document.querySelector('dialog.confirm'));
    const id = page.url();
    const d1 = await page.evaluate(async (h) => (await (await fetch('/api/v1/devices/' + h.split('/').pop())).json()).lifecycle, id);
    if (d1 !== before) throw new Error('cancel changed the state to ' + d1);
    await page.selectOption('#dev-lifecycle', want);
    await page.waitForSelector('dialog.confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('dialog.confirm .error:not(:empty)');
    await page.fill('#confirm-reason', 'FAT passed, ticket 4711');
    await page.click('#confirm-ok');
    await page.waitForSelector('#toast:not([hidden])');
    const d2 = await page.evaluate(async (h) => (await (await fetch('/api/v1/devices/' + h.split('/').pop())).json()).lifecycle, id);
    if (d2 !== want) throw new Error('confirmed move left it ' + d2);
    if (await page.$eval('#dev-lifecycle', (e) => e.value) !== want) throw new Error('select does not show the new state');
    const audit = await page.evaluate(async () => (await (await fetch('/api/v1/audit?limit=5')).json()).entries);
    if (!audit.some((e) => JSON.stringify(e.detail).includes('FAT passed, ticket 4711'))) throw new Error('reason not in the audit log');
  });
  await step('topology: EtherCAT chain and PROFINET stations', async () => {
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('ol.chain li');
    const slaves = await page.$$eval('ol.chain li', (l) => l.length);
    if (slaves < 5) throw new Error(slaves + ' slaves in the chain');
    await shot('06-topology');
  });
  await step('a setting changed in the UI appears in the audit log', async () => {
    await page.goto(URL + '/#/settings');
    await page.waitForSelector('#set-site-name');
    await page.fill('#set-site-name', 'Line 7');
    await page.click('[id="save-site-name"]');
    await page.waitForSelector('#toast:not([hidden])');
    await shot('07-settings');
    await page.goto(URL + '/#/audit');
    await poll(() => [...document.querySelectorAll('#audit-list tr')]
      .some((tr) => tr.textContent.includes('PUT /api/v1/settings') && tr.textContent.includes('Line 7') && tr.textContent.includes('admin')));
    await page.click('#audit-verify');
    await poll(() => document.querySelector('#audit-status').className === 'ok');
    await shot('08-audit');
  });
  await step('users page: add an operator, one-time password shown once', async () => {
    await page.goto(URL + '/#/users');
    await page.waitForSelector('#user-add');
    await page.fill('#user-add input[name=uname]', 'op7');
    await page.selectOption('#user-add select[name=role]', 'operator');
    await page.click('#user-add button[type=submit]');
    await page.waitForSelector('.secret code.once');
    const pw = await page.textContent('.secret code.once');
    if (pw.trim().length !== 20) throw new Error('one-time password ' + pw);
    await shot('09-users');
  });
  await step('users page: a token with the control grant, taken back by its checkbox', async () => {
    await page.fill('#token-add input[name=tname]', 'mes-ctl');
    if (!(await page.isDisabled('#token-add input[name=control]'))) throw new Error('control grant offered to a viewer token');
    await page.selectOption('#token-add select[name=role]', 'engineer');
    await page.check('#token-add input[name=control]');
    await page.click('#token-add button[type=submit]');
    await poll(() => [...document.querySelectorAll('#view tr')].some((tr) => tr.textContent.includes('mes-ctl') && tr.querySelector('input[data-token]')?.checked));
    const box = 'tr:has-text("mes-ctl") input[data-token]';
    await page.focus(box);
    await page.keyboard.press('Space');
    // the server's list, not the box's own state
    await poll(() => fetch('/api/v1/tokens').then((r) => r.json()).then((j) => j.tokens.some((x) => x.name === 'mes-ctl' && x.control === false)));
  });
  await step('switch to Chinese labels', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await poll(() => document.querySelector('#nav a[href="#/devices"]').textContent === '设备');
    await page.goto(URL + '/#/overview');
    await page.waitForSelector('#ov-devices');
    await shot('10-overview-zh');
    // server messages, audit results and session stages in Chinese too
    await page.goto(URL + '/#/users');
    await page.waitForSelector('#user-add');
    await page.fill('#user-add input[name=uname]', 'op7');
    await page.click('#user-add button[type=submit]');
    await poll(() => document.getElementById('toast').textContent === '用户已存在');
    const stages = await page.$$eval('#view table', (l) => l[l.length - 1].textContent);
    if (!stages.includes('已登录')) throw new Error('session stage not translated: ' + stages.slice(0, 120));
    await page.goto(URL + '/#/audit');
    await page.waitForSelector('#audit-list tr td');
    const results = await page.$$eval('#audit-list td:nth-child(7)', (l) => [...new Set(l.map((e) => e.textContent))]);
    if (!results.includes('成功') || results.includes('ok')) throw new Error('audit results: ' + results.join(','));
    await shot('10b-audit-zh');
    await page.selectOption('#lang', 'en');
  });
  // the top bar's controls, each [left, top, right, bottom]
  const barBoxes = () => page.evaluate(() => Object.fromEntries(
    ['nav', 'topsearch', 'alertbar', 'lang', 'whoami', 'logout'].map((id) => document.getElementById(id))
      .filter((e) => e && e.getClientRects().length)
      .map((e) => { const r = e.getBoundingClientRect(); return [e.id, [r.left, r.top, r.right, r.bottom]]; })));
  // regression: the Descriptions link pushed the language and the user
  // onto a second row at 1366x768
  await step('top bar: one row at 1366x768 in English and Chinese; More menu by keyboard', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    for (const lang of ['zh-CN', 'en']) {
      await page.selectOption('#lang', lang);
      await page.goto(URL + '/#/overview');
      await page.waitForSelector('#ov-devices');
      const b = await barBoxes();
      const nav = b.nav;
      for (const [id, r] of Object.entries(b)) {
        // on the nav's row: its vertical middle within the nav's box
        const mid = (r[1] + r[3]) / 2;
        if (mid < nav[1] || mid > nav[3]) throw new Error(lang + ': ' + id + ' not on the row of the links: ' + JSON.stringify(b));
        if (r[2] > 1366) throw new Error(lang + ': ' + id + ' past the right edge: ' + JSON.stringify(b));
      }
      for (const id of ['nav', 'lang', 'whoami', 'logout']) if (!b[id]) throw new Error(lang + ': no ' + id);
    }
    // keyboard: Tab reaches the button, ArrowDown opens on the first
    // link, ArrowDown moves, Enter follows, Escape closes back
    await page.focus('#nav a[href="#/reports"]');
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.id) !== 'nav-more') throw new Error('Tab does not reach More');
    await page.keyboard.press('ArrowDown');
    if (await page.getAttribute('#nav-more', 'aria-expanded') !== 'true') throw new Error('ArrowDown does not open More');
    await shot('10c-nav-more');
    if (await page.evaluate(() => document.activeElement.getAttribute('href')) !== '#/descriptions') throw new Error('first link not focused');
    await page.keyboard.press('ArrowDown');
    if (await page.evaluate(() => document.activeElement.getAttribute('href')) !== '#/rules') throw new Error('ArrowDown does not move');
    await page.keyboard.press('Escape');
    if (await page.isVisible('#nav-more-menu')) throw new Error('Escape leaves the menu open');
    if (await page.evaluate(() => document.activeElement.id) !== 'nav-more') throw new Error('Escape does not return to More');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => location.hash === '#/rules');
    if (await page.isVisible('#nav-more-menu')) throw new Error('the menu stays open on the new page');
    // the hash is set before its hashchange runs the router, which marks
    // the button: wait for the mark, not for the hash alone
    await poll(() => document.getElementById('nav-more').classList.contains('active')).catch((e) => { throw new Error('More not marked on one of its pages: ' + e.message); });
  });
  await step('tablet layout (800x1280): every control of the top bar on the screen, the More menu too', async () => {
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto(URL + '/#/devices');
    await page.waitForSelector('tr.dev-row');
    const overflow = await page.evaluate(() => document.querySelector('header').scrollWidth > window.innerWidth + 1);
    if (overflow) throw new Error('header wider than the screen');
    const b = await barBoxes();
    for (const [id, r] of Object.entries(b)) if (r[0] < 0 || r[2] > 800) throw new Error(id + ' off the screen: ' + JSON.stringify(r));
    if (await page.evaluate(() => document.querySelector('header').getBoundingClientRect().height) > 160) throw new Error('the top bar takes more than two rows');
    await page.click('#nav-more');
    const menu = await page.evaluate(() => [...document.querySelectorAll('#nav-more-menu a')].filter((a) => a.getClientRects().length)
      .map((a) => { const r = a.getBoundingClientRect(); return [r.left, r.right]; }));
    if (menu.length < 5 || menu.some(([l, r]) => l < 0 || r > 800)) throw new Error('More menu links: ' + JSON.stringify(menu));
    await page.keyboard.press('Escape');
    await shot('11-tablet');
  });
  await step('every page: inputs labelled, text contrast at least 4.5:1', async () => {
    for (const p of ['overview', 'devices', 'topology', 'baseline', 'users', 'audit', 'settings']) {
      await page.goto(URL + '/#/' + p);
      await page.waitForSelector('main h1');
      await page.waitForTimeout(300);
      await expectA11y(p);
    }
  });
  const daemon = (bin, args, log) => {
    const fd = openSync(path.join(D, log), 'a');
    const p = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
    p.unref();
    return p.pid;
  };
  // sign in again after the session ended, with a recovery code (the TOTP
  // step of the last sign-in is spent); the app must bring us back to hash
  async function signInAgain(prefix) {
    const hash = await page.evaluate(() => location.hash);
    if (!hash.startsWith(prefix)) throw new Error('expired on ' + hash + ', not ' + prefix);
    await page.click('#banner-signin');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'plant supervisor 2026');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    await page.fill('input[name=code]', recovery.shift());
    await page.click('button[type=submit]');
    await poll((h) => location.hash === h, hash);
    await poll(() => { const b = document.getElementById('banner'); return !b || b.hidden; });
  }
  let master = 0;
  await step('overview: a verdict per line with colour, text and reason; rates, not totals; numbers link to devices', async () => {
    await page.goto(URL + '/#/overview');
    await page.waitForSelector('tr.line-row');
    await poll(() => [...document.querySelectorAll('tr.line-row td:nth-child(5)')].some((td) => Number(td.textContent) > 0), null, 20000);
    const rows = await page.$$eval('tr.line-row', (l) => l.map((tr) => ({ id: tr.dataset.id, v: tr.dataset.verdict,
      badge: tr.querySelector('.badge').textContent, cls: tr.querySelector('.badge').className, reason: tr.children[2].textContent })));
    if (rows.length < 2) throw new Error(rows.length + ' lines (want the EtherCAT master and the PROFINET controller)');
    for (const r of rows) {
      if (!['healthy', 'degraded', 'failed'].includes(r.v) || r.badge !== r.v || !r.cls.includes(r.v)) throw new Error('verdict ' + JSON.stringify(r));
      if (r.v !== 'healthy' && r.reason === '-') throw new Error('no reason for ' + JSON.stringify(r));
    }
    master = Number(await page.$eval('tr.line-row', (tr) => tr.dataset.id));
    const href = await page.$eval('#ov-offline', (a) => a.getAttribute('href'));
    if (href !== '#/devices?state=offline') throw new Error('offline count links to ' + href);
    const fps = await text('#ov-fps');
    if (!(Number(fps) > 0)) throw new Error('frames/s ' + fps);
    const ring = await page.$eval('tr.ring-row td:nth-child(2)', (e) => e.textContent);
    if (ring !== 'running') throw new Error('ring state ' + ring);
    // a row per cyclic link with its health, worst first
    const lh = await page.$$eval('tr.link-health-row', (l) => l.map((tr) => ({ g: tr.dataset.grade, b: tr.querySelector('.badge').textContent })));
    if (lh.length < 2) throw new Error(lh.length + ' link health rows');
    const scores = lh.map((x) => Number(x.b.split(' ')[0]));
    for (const x of lh) if (!x.b.endsWith(' · ' + x.g)) throw new Error('link health ' + JSON.stringify(x));
    if (scores.join() !== [...scores].sort((a, b) => a - b).join()) throw new Error('link health not worst first: ' + scores);
    // the ring's network load, as GET /diag grades it: a row per capture port, load and grade shown
    await poll(() => [...document.querySelectorAll('tr.port-row td:nth-child(2)')].some((td) => Number(td.textContent) > 0), null, 20000);
    const api = await page.evaluate(async () => (await (await fetch('/api/v1/diag')).json()).ports);
    const pr = await page.$$eval('tr.port-row', (l) => l.map((tr) => ({ port: tr.dataset.port, g: tr.dataset.grade,
      badge: tr.querySelector('.badge').textContent, load: Number(tr.children[1].textContent) })));
    if (pr.length !== api.length || !pr.length) throw new Error('port rows ' + JSON.stringify(pr) + ' vs ' + JSON.stringify(api));
    for (const x of pr) {
      const a = api.find((y) => y.port === x.port);
      if (!a || x.g !== a.grade || x.badge !== a.grade || !(x.load > 0 && x.load < 20)) throw new Error('port row ' + JSON.stringify(x) + ' vs ' + JSON.stringify(a));
    }
    // iiotd's own health, as /api/v1/health says it: the verdict and each check with its reason
    const sys = await page.evaluate(async () => (await fetch('/api/v1/health')).json());
    const shown = await page.$$eval('tr.system-row', (l) => l.map((tr) => tr.dataset.check + ':' + tr.dataset.status + ':' + tr.children[2].textContent));
    const want = sys.checks.map((c) => c.name + ':' + c.status + ':' + c.reason);
    if (shown.length !== want.length || shown.some((x, i) => x.split(':')[0] !== want[i].split(':')[0])) throw new Error('system health ' + shown + ' vs ' + want);
    const st = await page.$eval('#ov-system-status .badge', (e) => e.dataset.status);
    if (!['ok', 'degraded', 'failed'].includes(st)) throw new Error('system status ' + st);
    await expectA11y('overview with lines');
    await shot('12-overview-lines');
  });
  await step('simulator stopped: the source shows stopped, devices offline everywhere, charts leave a gap', async () => {
    await page.goto(URL + '/#/device/' + master);
    await page.waitForSelector('#chart-link-' + (await page.evaluate(async (m) => (await (await fetch('/api/v1/links?device=' + m)).json()).links[0].id, master)));
    if ((await text('#dev-state')) !== 'online') throw new Error('master not online at first');
    process.kill(Number(SIM_PID), 'SIGTERM');
    await poll(() => document.getElementById('dev-state').textContent === 'offline', null, 15000);
    await poll(() => document.querySelector('[data-f=online]').textContent === 'offline');
    await poll(() => document.querySelector('.chart[id^=chart-link]').dataset.gap === '1', null, 5000);
    // a page opened now still shows the link's stored history
    await page.reload();
    await poll(() => Number((document.querySelector('.chart[id^=chart-link]') || {}).dataset?.history) > 0, null, 15000);
    // its health follows: 0 with "offline" as the reason
    await poll(() => document.getElementById('dev-health-score').textContent.startsWith('0 · ') &&
      !!document.querySelector('#dev-health-reasons li[data-code=offline]'), null, 15000);
    const nulls = await page.$$eval('#view', (v) => v[0].textContent.includes('null'));
    if (nulls) throw new Error('"null" on the device page');
    await shot('13-device-offline');
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('ol.chain li');
    const on = await page.$$eval('ol.chain li', (l) => l.filter((e) => !e.textContent.includes('offline')).length);
    if (on) throw new Error(on + ' slaves not shown offline');
    await page.goto(URL + '/#/devices');
    await page.waitForSelector('tr.dev-row');
    const online = await page.$$eval('span[data-f=state]', (l) => l.filter((e) => e.textContent === 'online').length);
    if (online) throw new Error(online + ' devices still online in the list');
    await page.goto(URL + '/#/overview');
    await poll(() => { const td = document.querySelector('tr.ring-row td:nth-child(2)'); return td && td.textContent === 'stopped'; }, null, 10000);
    await poll(() => [...document.querySelectorAll('tr.line-row')].every((tr) => tr.dataset.verdict === 'failed'), null, 15000);
    const reason = await text('tr.line-row td:nth-child(3)');
    if (!/^(EtherCAT master|PROFINET controller) offline; all \d+ devices offline/.test(reason)) throw new Error('failed line, reason: ' + reason);
    await shot('14-overview-stopped');
  });
  await step('simulator started again: devices come back online live', async () => {
    writeFileSync(path.join(D, 'sim2.pid'), String(daemon(SIM_BIN, [SIM_SCENARIO, '--ring', RING], 'sim2.log')));
    await poll(() => [...document.querySelectorAll('tr.line-row')].some((tr) => tr.dataset.verdict !== 'failed'), null, 30000);
    await page.goto(URL + '/#/devices');
    await poll(() => document.querySelectorAll('span[data-f=state].ok').length >= 5, null, 20000);
  });
  await step('iiotd stopped: a banner says since when the data is, and the page is greyed', async () => {
    const before = Date.now();
    process.kill(Number(IIOTD_PID), 'SIGTERM');
    await page.waitForSelector('#banner[data-kind=lost]', { timeout: 10000 });
    const msg = await text('#banner-text');
    const m = msg.match(/^Connection to iiotd lost — data below is from (\d\d):(\d\d):(\d\d) (\S+) \((\d+) s ago\)$/);
    if (!m) throw new Error('banner: ' + msg);
    if ((await text('#banner')).includes('null')) throw new Error('"null" in the banner');
    const shown = new Date(before); shown.setHours(Number(m[1]), Number(m[2]), Number(m[3]), 0);
    if (Math.abs(shown - before) > 5000) throw new Error('data time ' + m.slice(1, 4).join(':') + ' vs stop at ' + new Date(before).toTimeString());
    if (!(await page.evaluate(() => document.body.classList.contains('stale')))) throw new Error('page not greyed');
    await page.waitForTimeout(2200);
    const later = (await text('#banner-text')).match(/\((\d+) s ago\)/);
    if (!later || Number(later[1]) <= Number(m[5])) throw new Error('age does not grow: ' + (later && later[1]));
    await shot('15-iiotd-lost');
  });
  await step('iiotd restarted: its restart ended the session; the banner asks to sign in and the sign-in returns to the page', async () => {
    daemon(IIOTD_BIN, ['-d', '-f', IIOTD_CONF2], 'iiotd2.log');
    await page.waitForSelector('#banner[data-kind=expired]', { timeout: 20000 });
    if ((await text('#banner-text')) !== 'Session expired — sign in again') throw new Error('banner: ' + await text('#banner-text'));
    await shot('16-session-expired');
    await signInAgain('#/devices');
    await poll(() => document.querySelectorAll('tr.dev-row').length >= 10, null, 20000);
  });
  await step('an idle session expires (6 s idle setting): banner at once, sign-in returns to the page', async () => {
    await page.goto(URL + '/#/topology');
    await page.waitForSelector('ol.chain li');
    await page.waitForSelector('#banner[data-kind=expired]', { timeout: 15000 });
    await shot('17-idle-expired');
    await signInAgain('#/topology');
    await page.waitForSelector('ol.chain li');
  });
  await step('no console errors (CSP violations, script errors)', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
