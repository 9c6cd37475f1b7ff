// Browser test of the baseline page (tests/web/baseline.t).  Prints TAP.
//   URL, ENG_PW (the engineer's one-time password), OUT, PROFILE, WORK (iiotd's directory)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { browser, finish, firstSignIn, navTo, step } from './harness.mjs';

const { URL, ENG_PW, OUT, PROFILE, WORK } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);
const count = (key) => page.evaluate((k) => Number((document.getElementById('bl-' + k) || {}).dataset?.n ?? -1), key);
const state = () => page.evaluate(() => { const s = document.querySelector('#bl-summary [data-state]'); return s ? s.dataset.state : ''; });
let exported = null;

try {
  await step('engineer signs in and sets a password', () => firstSignIn(page, URL, 'eng1', ENG_PW, 'process engineer 2026'));
  await step('the page shows what was learned, by kind: the master and the 8 AR directions', async () => {
    await navTo(page, '#/baseline');
    await page.waitForSelector('#bl-summary [data-state]');
    await poll(() => { const s = document.querySelector('#bl-summary [data-state]'); return s && s.dataset.state === 'protecting'; }, null, 30000);
    if (await count('masters') !== 1 || await count('ars') !== 8) throw new Error(`masters ${await count('masters')}, ars ${await count('ars')}`);
    if (await count('pairs') < 2) throw new Error('pairs ' + await count('pairs'));
    await shot('01-baseline');
  });
  await step('removing a pair asks first, then the pair is gone', async () => {
    const n = await count('pairs');
    const entry = await page.getAttribute('#bl-pairs tr[data-entry] >> nth=0', 'data-entry');
    await page.click('#bl-pairs tr[data-entry] >> nth=0 >> button.bl-remove');
    await page.waitForSelector('dialog.confirm');
    await page.click('#confirm-ok');
    await poll((k) => Number(document.getElementById('bl-pairs').dataset.n) === k, n - 1);
    const left = await page.evaluate(() => [...document.querySelectorAll('#bl-pairs tr[data-entry]')].map((r) => r.dataset.entry));
    if (left.includes(entry)) throw new Error('still there: ' + entry);
  });
  await step('export downloads the baseline as JSON', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#bl-export')]);
    const file = path.join(OUT, 'baseline.json');
    await dl.saveAs(file);
    exported = JSON.parse(readFileSync(file, 'utf8'));
    if (exported.version !== 1 || exported.masters.length !== 1 || exported.pairs.length !== await count('pairs')) throw new Error(JSON.stringify(exported).slice(0, 200));
  });
  await step('importing a smaller baseline replaces it; the export imports back', async () => {
    const small = path.join(OUT, 'small.json');
    writeFileSync(small, JSON.stringify({ version: 1, masters: exported.masters }));
    await page.setInputFiles('#bl-file', small);
    await page.click('#bl-import');
    await page.click('#confirm-ok');
    await poll(() => document.getElementById('bl-pairs').dataset.n === '0' && document.getElementById('bl-masters').dataset.n === '1');
    await page.setInputFiles('#bl-file', path.join(OUT, 'baseline.json'));
    await page.click('#bl-import');
    await page.click('#confirm-ok');
    await poll((k) => Number(document.getElementById('bl-pairs').dataset.n) === k, exported.pairs.length);
  });
  await step('a bad file is refused, naming the place, and changes nothing', async () => {
    const bad = path.join(OUT, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, devices: [{ mac: 'nope' }] }));
    await page.setInputFiles('#bl-file', bad);
    await page.click('#bl-import');
    await page.click('#confirm-ok');
    await poll(() => /devices\[0\]\.mac/.test(document.getElementById('bl-status').textContent));
    if (await count('masters') !== 1) throw new Error('masters ' + await count('masters'));
  });
  await step('learning again from nothing, then protecting what was learned', async () => {
    await page.fill('#bl-seconds', '2');
    await page.check('#bl-fresh');
    await page.click('#bl-learn');
    await poll(() => document.querySelector('#bl-summary [data-state]').dataset.state === 'learning');
    await poll(() => document.querySelector('#bl-summary [data-state]').dataset.state === 'protecting', null, 30000);
    if (await state() !== 'protecting' || await count('masters') !== 1) throw new Error('masters ' + await count('masters'));
    await shot('02-relearned');
  });
  await step('every change from the page is in the audit log under the engineer', async () => {
    const rows = execFileSync('sqlite3', [path.join(WORK, 'audit.db'),
      "SELECT action || ' ' || result FROM audit WHERE user = 'eng1' AND action LIKE '%baseline%' ORDER BY seq"], { encoding: 'utf8' }).trim().split('\n');
    const want = ['POST /api/v1/baseline/entries/remove ok', 'PUT /api/v1/baseline ok', 'PUT /api/v1/baseline ok',
      'PUT /api/v1/baseline fail', 'POST /api/v1/baseline/learn ok'];
    if (JSON.stringify(rows) !== JSON.stringify(want)) throw new Error(rows.join(', '));
  });
  await step('no console errors', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('400') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
