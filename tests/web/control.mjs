// Browser test of device control on the device page (tests/web/control.t).
// Prints TAP.
//   URL, JAR (curl's cookie jar of the admin's session that passed MFA),
//   CSRF (its CSRF token), V1_PW (a viewer's one-time password), D2, D4
//   (PROFINET devices in maintenance), D3 (one that is active), MB (the
//   Modbus device, in maintenance), MY_MAC (iiotd's DCP interface), OUT,
//   PROFILE
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { browser, finish, firstSignIn, step } from './harness.mjs';

const { URL, JAR, CSRF, V1_PW, D2, D3, D4, MB, MY_MAC, OUT, PROFILE } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);

// the admin's session from curl's jar: MFA was passed in the shell
function jarCookies() {
  return readFileSync(JAR, 'utf8').split('\n').map((l) => l.replace(/^#HttpOnly_/, ''))
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'))
    .filter((f) => f.length >= 7).map((f) => ({ name: f[5], value: f[6], url: URL }));
}
// the API as the admin, from outside the page (what a second operator does)
function curl(method, path, body) {
  return JSON.parse(execFileSync('curl', ['-sk', '-b', JAR, '-X', method, '-H', 'X-CSRF-Token: ' + CSRF,
    '-H', 'Content-Type: application/json', ...(body ? ['--data-binary', JSON.stringify(body)] : []), URL + '/api/v1' + path]));
}
const audit = () => curl('GET', '/audit?limit=200').entries;
const dialogOpen = () => page.evaluate(() => !!document.querySelector('#ctl-dialog[open]'));
async function openDevice(id) {
  await page.goto(URL + '/#/device/' + id);
  await page.waitForSelector('#dev-control');
}
async function openAction(op) {
  await page.click('#ctl-' + op);
  await page.waitForSelector('#ctl-dialog[open]');
}

try {
  await ctx.addCookies(jarCookies());
  await step('an admin (MFA) opens a PROFINET device in maintenance: every control enabled', async () => {
    await openDevice(D2);
    const s = await page.evaluate(() => [...document.querySelectorAll('#dev-control button')].map((b) => b.dataset.op + ':' + b.disabled).join(' '));
    if (s !== 'identify:false signal:false set-name:false set-ip:false reset:false') throw new Error(s);
    await shot('01-device-control');
  });
  await step('Flash: the dialog shows the dry run\'s frame, its target and where it goes', async () => {
    await openAction('signal');
    await poll(() => !!document.querySelector('#ctl-frame'));
    const s = await page.evaluate(() => ({ frame: document.getElementById('ctl-frame').textContent,
      table: document.getElementById('ctl-preview-table').innerText, target: document.getElementById('ctl-target').textContent,
      send: document.getElementById('ctl-send').disabled }));
    // the frame begins with the device's MAC, then iiotd's, then 0x8892
    const head = '00 0e 8c 10 00 02 ' + MY_MAC.split(':').join(' ') + ' 88 92';
    if (!s.frame.startsWith(head) || !s.table.includes('00:0e:8c:10:00:02') || !s.table.includes(MY_MAC) ||
        !s.table.includes('signal') || !s.target.includes('00:0e:8c:10:00:02') || s.send) throw new Error(JSON.stringify(s));
    await shot('02-signal-dry-run');
  });
  await step('send without a reason: refused in the dialog, nothing sent', async () => {
    const before = audit().filter((e) => e.action === `POST /api/v1/devices/${D2}/dcp/signal` && (e.detail || {}).dry_run === false).length;
    await page.click('#ctl-send');
    const s = await page.evaluate(() => ({ err: document.getElementById('ctl-error').textContent, focus: document.activeElement.id }));
    if (!s.err.includes('reason') || s.focus !== 'ctl-reason' || !(await dialogOpen())) throw new Error(JSON.stringify(s));
    const after = audit().filter((e) => e.action === `POST /api/v1/devices/${D2}/dcp/signal` && (e.detail || {}).dry_run === false).length;
    if (after !== before) throw new Error('a request went out: ' + before + ' -> ' + after);
  });
  await step('keyboard: Tab stays in the dialog, Esc closes it and gives the focus back', async () => {
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      if (!(await page.evaluate(() => !!document.activeElement.closest('#ctl-dialog')))) throw new Error('Tab left the dialog at ' + i);
    }
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Escape');
    await poll(() => !document.querySelector('#ctl-dialog'));
    const f = await page.evaluate(() => document.activeElement.id);
    if (f !== 'ctl-signal') throw new Error('focus on ' + f);
  });
  await step('Flash with a reason: sent, the device\'s answer shown', async () => {
    await page.keyboard.press('Enter');	// the focused button opens it again
    await page.waitForSelector('#ctl-dialog[open]');
    await poll(() => !document.getElementById('ctl-send').disabled);
    await page.fill('#ctl-reason', 'find the device in the cabinet');
    await page.click('#ctl-send');
    await poll(() => ['done', 'refused'].includes(document.getElementById('ctl-dialog').dataset.state), undefined, 20000);
    const s = await page.evaluate(() => ({ state: document.getElementById('ctl-dialog').dataset.state,
      result: (document.getElementById('ctl-result-text') || {}).textContent, err: document.getElementById('ctl-error').textContent,
      answer: (document.getElementById('ctl-answer') || {}).textContent || '' }));
    if (s.state !== 'done' || !/done/.test(s.result) || !s.answer.includes('00:0e:8c:10:00:02')) throw new Error(JSON.stringify(s));
    await shot('03-signal-answer');
    await page.click('#ctl-close');
  });
  await step('Set IP: the fields go into the preview; a changed field needs a new preview before sending', async () => {
    await openAction('set-ip');
    await page.fill('#ctl-f-ip', '192.168.0.52');
    await page.fill('#ctl-f-mask', '255.255.255.0');
    await page.selectOption('#ctl-f-permanent', 'false');
    await page.click('#ctl-preview-btn');
    await poll(() => !!document.querySelector('#ctl-frame') && !document.getElementById('ctl-send').disabled);
    // 192.168.0.52 is c0 a8 00 34 in the frame
    const f = await page.evaluate(() => document.getElementById('ctl-frame').textContent.replace(/\s+/g, ''));
    if (!f.includes('c0a80034ffffff00')) throw new Error(f);
    await page.fill('#ctl-f-ip', '192.168.0.53');
    const s = await page.evaluate(() => ({ send: document.getElementById('ctl-send').disabled, frame: !!document.getElementById('ctl-frame') }));
    if (!s.send || s.frame) throw new Error(JSON.stringify(s));
    // the tallest dialog stays within 1366x768, Send and Close reachable
    const fit = await page.evaluate(() => {
      const r = document.getElementById('ctl-dialog').getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth ? 'fits' : JSON.stringify(r) + ' ' + innerWidth + 'x' + innerHeight;
    });
    if (fit !== 'fits') throw new Error(fit);
    await page.locator('#ctl-close').scrollIntoViewIfNeeded();
    if (!(await page.locator('#ctl-close').isVisible())) throw new Error('Close not reachable');
    await shot('04-set-ip-stale');
    await page.keyboard.press('Escape');
    await poll(() => !document.querySelector('#ctl-dialog'));
  });
  await step('a device moved out of maintenance under an open dialog: 409 with the reason, nothing sent', async () => {
    await openDevice(D4);
    await openAction('signal');
    await poll(() => !document.getElementById('ctl-send').disabled);
    for (const s of ['active']) curl('PUT', `/devices/${D4}/lifecycle`, { state: s, reason: 'back to production' });
    await page.fill('#ctl-reason', 'flash it');
    await page.click('#ctl-send');
    await poll(() => document.getElementById('ctl-dialog').dataset.state === 'refused', undefined, 20000);
    const err = await page.evaluate(() => document.getElementById('ctl-error').textContent);
    if (!err.includes('409') || !err.includes('maintenance')) throw new Error(err);
    await shot('05-refused-409');
    await page.click('#ctl-close');
  });
  await step('a device in the wrong lifecycle state: the buttons disabled, naming the state they need', async () => {
    await openDevice(D3);
    const s = await page.evaluate(() => ({ b: [...document.querySelectorAll('#dev-control button')].map((b) => b.dataset.op + ':' + b.disabled).join(' '),
      title: document.getElementById('ctl-signal').title, note: document.getElementById('ctl-note').textContent }));
    // identify aims at the name on the line, not at the device: no state needed
    if (s.b !== 'identify:false signal:true set-name:true set-ip:true reset:true' || !s.title.includes('maintenance') ||
        !s.title.includes('active') || !s.note.includes('maintenance')) throw new Error(JSON.stringify(s));
    await shot('06-wrong-state');
  });
  await step('a Modbus write: the registers the dry run shows, then the value read back', async () => {
    await openDevice(MB);
    await openAction('write');
    await page.selectOption('#ctl-f-point', 'sp');
    await page.fill('#ctl-f-value', '12.5');
    await page.click('#ctl-preview-btn');
    await poll(() => !!document.getElementById('ctl-preview-table') && !document.getElementById('ctl-send').disabled);
    const tab = await page.evaluate(() => document.getElementById('ctl-preview-table').innerText);
    // 12.5 as an f32 in CDAB order: 0x0000 0x4148
    if (!tab.includes('write multiple registers (16)') || !tab.includes('0, 16712') || !tab.includes('30')) throw new Error(tab);
    await page.fill('#ctl-reason', 'new setpoint');
    await page.click('#ctl-send');
    await poll(() => ['done', 'refused'].includes(document.getElementById('ctl-dialog').dataset.state), undefined, 20000);
    const r = await page.evaluate(() => document.getElementById('ctl-result').innerText + document.getElementById('ctl-error').textContent);
    if (!r.includes('12.5')) throw new Error(r);
    await shot('07-modbus-write');
    await page.click('#ctl-close');
  });
  await step('in Chinese: the controls and the dialog in zh-CN', async () => {
    await openDevice(D2);
    await page.selectOption('#lang', 'zh-CN');
    await poll(() => document.querySelector('#nav a[href="#/devices"]').textContent === '设备');
    await page.goto(URL + '/#/overview');
    await openDevice(D2);
    await poll(() => document.getElementById('ctl-signal').textContent === '闪烁 (DCP Signal)');
    await openAction('signal');
    await poll(() => !!document.querySelector('#ctl-frame'));
    const s = await page.evaluate(() => [document.getElementById('ctl-title').textContent, document.getElementById('ctl-send').textContent].join(' '));
    if (s !== '闪烁 (DCP Signal) 发送') throw new Error(s);
    await shot('08-zh-CN');
    await page.keyboard.press('Escape');
    await poll(() => !document.querySelector('#ctl-dialog'));
    await page.selectOption('#lang', 'en');
    await poll(() => document.querySelector('#nav a[href="#/devices"]').textContent === 'Devices');
  });
  await step('a viewer sees the controls, none enabled, and why', async () => {
    await ctx.clearCookies();
    await firstSignIn(page, URL, 'v1', V1_PW, 'viewer one pass 2026');
    await openDevice(D2);
    const s = await page.evaluate(() => ({ enabled: [...document.querySelectorAll('#dev-control button')].filter((b) => !b.disabled).length,
      n: document.querySelectorAll('#dev-control button').length, note: document.getElementById('ctl-note').textContent }));
    if (s.enabled !== 0 || s.n !== 5 || !s.note.includes('device.control')) throw new Error(JSON.stringify(s));
    await shot('09-viewer');
  });
  await step('no console errors (CSP violations, script errors)', async () => {
    // a refusal's status (409) is the browser's own "Failed to load resource" line
    const real = consoleErrors.filter((e) => !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} catch (e) {
  console.log('# ' + e.message);
} finally {
  await ctx.close();
  finish();
}
