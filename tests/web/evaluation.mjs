// Browser test of the Evaluation page (tests/web/evaluation.t).  Prints TAP.
//   URL, ADM_PW (the second admin's one-time password), OUT, PROFILE, WORK (iiotd's directory)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { browser, finish, firstSignIn, navTo, step } from './harness.mjs';

const { URL, ADM_PW, OUT, PROFILE, WORK } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);
const api = (u) => page.evaluate(async (x) => (await fetch('/api/v1' + x)).json(), u);
let runs = null;

try {
  await step('admin signs in and sets a password', () => firstSignIn(page, URL, 'adm2', ADM_PW, 'quality auditor 2026'));
  await step('the page shows the last run: score, each check with its evidence, as the API says', async () => {
    await navTo(page, '#/evaluation');
    runs = (await api('/evaluation/runs')).runs;
    await poll((id) => document.getElementById('eval-last').dataset.run === String(id), runs[0].id);
    const run = await api('/evaluation/runs/' + runs[0].id);
    const shown = await page.$$eval('tr.eval-check', (l) => l.map((tr) => tr.dataset.check + ':' + tr.dataset.result + ':' + tr.children[4].textContent));
    const want = run.checks.map((c) => c.id + ':' + c.result + ':' + c.evidence);
    if (JSON.stringify(shown) !== JSON.stringify(want)) throw new Error(shown + ' vs ' + want);
    if (await page.$eval('#eval-score', (e) => e.dataset.score) !== String(run.score)) throw new Error('score');
    await shot('01-evaluation');
  });
  await step('the HTML report opens with a row per check', async () => {
    const href = await page.getAttribute('#eval-report', 'href');
    const html = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    const rows = (html.match(/<tr><td>/g) || []).length;
    if (rows !== await page.$$eval('tr.eval-check', (l) => l.length)) throw new Error(rows + ' rows');
  });
  await step('the trend has a point per run', async () => {
    await poll((n) => Number(document.getElementById('eval-trend').dataset.points) === n, runs.length);
  });
  await step('the open nonconformities list mfa.roles', async () => {
    await poll(() => !!document.querySelector('tr.eval-nc[data-check="mfa.roles"]'));
  });
  await step('run now: a new run made by adm2 shows, the trend grows', async () => {
    await page.click('#eval-run');
    await poll((id) => Number(document.getElementById('eval-last').dataset.run) > id, runs[0].id, 30000);
    const r = (await api('/evaluation/runs')).runs;
    if (r[0].trigger !== 'demand by adm2') throw new Error(r[0].trigger);
    await poll((n) => Number(document.getElementById('eval-trend').dataset.points) === n, r.length);
  });
  await step('closing without an action is refused; with one, it moves to closed', async () => {
    const row = 'tr.eval-nc[data-check="mfa.roles"]';
    await page.click(row + ' button.eval-close');
    if (!(await page.$(row))) throw new Error('closed without an action');
    await page.fill(row + ' input.eval-action', 'MFA required for admin and engineer again');
    await page.click(row + ' button.eval-close');
    await poll((s) => !document.querySelector(s), row);
    await poll(() => [...document.querySelectorAll('tr.eval-done')].some((tr) => tr.dataset.state === 'closed' && tr.textContent.includes('mfa.roles') && tr.textContent.includes('MFA required for admin and engineer again')));
    await shot('02-closed');
  });
  await step('the close is in the audit log under adm2 with the action', async () => {
    const rows = execFileSync('sqlite3', [path.join(WORK, 'audit.db'),
      "SELECT result || ' ' || detail FROM audit WHERE user = 'adm2' AND action LIKE 'POST /api/v1/evaluation/nonconformities/%/close' ORDER BY seq"], { encoding: 'utf8' }).trim().split('\n');
    if (rows.length !== 1 || !rows[0].startsWith('ok ') || !rows[0].includes('MFA required for admin and engineer again')) throw new Error(rows.join(', '));
  });
  await step('the page in Chinese', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await poll(() => document.getElementById('eval-title') && document.getElementById('eval-title').textContent === '自评估');
    if (await page.textContent('#nav a[href="#/evaluation"]') !== '自评估') throw new Error('nav');
    await poll(() => document.querySelectorAll('tr.eval-check').length > 0);
    await shot('03-zh');
  });
  await step('no console errors', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('400') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
