// Browser test of the OEE board, rule editor and anomaly band (tests/web/analytics.t).  Prints TAP.
//   URL, ENG_PW (the engineer's one-time password), OUT, PROFILE
import { browser, finish, firstSignIn, step } from './harness.mjs';

const { URL, ENG_PW, OUT, PROFILE } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);

try {
  await step('engineer signs in and sets a password', () => firstSignIn(page, URL, 'eng1', ENG_PW, 'process engineer 2026'));
  await step('the OEE board shows the machine of its line, banded', async () => {
    await page.click('#nav a[href="#/oee"]');
    await page.waitForSelector('.oee-line[data-line="l1"] .oee-machine[data-machine="m1"]');
    await poll(() => { const m = document.querySelector('.oee-machine[data-machine="m1"]'); return m && m.dataset.band && Number(m.dataset.oee) > 0; }, null, 20000);
    const cls = await page.getAttribute('.oee-machine[data-machine="m1"]', 'class');
    if (!/band-(red|yellow|green)/.test(cls)) throw new Error(cls);
  });
  await step('a stop gets its reason from the picker, and the Pareto shows it', async () => {
    await page.waitForSelector('#oee-stops tr[data-stop] select.reason-pick', { timeout: 20000 });
    const row = '#oee-stops tr[data-stop]';
    await page.selectOption(row + ' select.reason-pick >> nth=0', 'JAM');
    await page.click(row + ' button.reason-save >> nth=0');
    await page.waitForSelector('#oee-pareto tr[data-reason="JAM"]');
    await shot('01-oee');
  });
  await step('the report links: CSV, printable HTML, JSON per period', async () => {
    await page.selectOption('#oee-period', 'day');
    const href = await page.getAttribute('#oee-csv', 'href');
    if (href !== '/api/v1/oee/report?period=day&format=csv') throw new Error(href);
    const r = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    if (!r.startsWith('machine,line,period')) throw new Error(r.slice(0, 100));
  });
  await step('the rule editor says where an expression is wrong', async () => {
    await page.click('#nav a[href="#/rules"]');
    await page.waitForSelector('#rule-text');
    await page.fill('#rule-text', JSON.stringify({ name: 'jam', kind: 'expr', expr: 'm_count > 5 and (m_state < 3' }));
    await page.click('#rule-check');
    await poll(() => /column 29/.test(document.getElementById('rule-status').textContent));
  });
  await step('saving makes version 1, a change version 2, a rollback version 3', async () => {
    await page.fill('#rule-text', JSON.stringify({ name: 'jam', kind: 'threshold', signal: 'm_count', above: 1e9 }));
    await page.click('#rule-save');
    await poll(() => /version 1/.test(document.getElementById('rule-status').textContent));
    await page.waitForSelector('#rule-list tr[data-rule="jam"]');
    await page.fill('#rule-text', JSON.stringify({ name: 'jam', kind: 'threshold', signal: 'm_count', above: 2e9 }));
    await page.click('#rule-save');
    await poll(() => /version 2/.test(document.getElementById('rule-status').textContent));
    await page.waitForSelector('#rule-versions tr[data-version="1"] button.rollback');
    await page.click('#rule-versions tr[data-version="1"] button.rollback');
    await page.waitForSelector('#rule-versions tr[data-version="3"]');
    const txt = await page.inputValue('#rule-text');
    if (JSON.parse(txt).above !== 1e9) throw new Error(txt);
    await shot('02-rules');
  });
  await step('the trend chart shades the anomaly band of a signal', async () => {
    const id = await page.evaluate(async () => (await (await fetch('/api/v1/signals')).json()).signals.find((s) => s.name === 'm_count').device_id);
    await page.goto(URL + '/#/device/' + id);
    await page.waitForSelector('#trend-chart');
    try {
      await poll(() => /^m_\w+:-?[0-9.]+\.\.-?[0-9.]+$/.test(document.getElementById('trend-chart').dataset.band || ''), null, 30000);
    } catch (e) {
      throw new Error(JSON.stringify(await page.evaluate(async (i) => [document.getElementById('trend-chart').dataset,
        await (await fetch('/api/v1/analytics/band/' + i)).text()], 2)));
    }
    await shot('03-band');
  });
  await step('the Reports page: a report made now, opened as a printable page, offered as a download', async () => {
    await page.goto(URL + '/#/reports');
    await page.waitForSelector('#report-make-go');
    await page.selectOption('#report-make-kind', 'day');
    await page.click('#report-make-go');
    await page.waitForSelector('#report-list tr[data-how="demand"][data-kind="day"]');
    const open = await page.getAttribute('#report-list tr[data-how="demand"] a.report-open', 'href');
    const html = await page.evaluate(async (u) => (await fetch(u)).text(), open);
    if (!html.includes('<table id="oee-report">') || !html.includes('<h1>Daily report: all lines')) throw new Error(html.slice(0, 300));
    const dl = await page.getAttribute('#report-list tr[data-how="demand"] a.report-download', 'href');
    if (!/download=1$/.test(dl) || (await page.getAttribute('#report-list tr[data-how="demand"] a.report-download', 'download')) === null) throw new Error(dl);
    const disp = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-disposition'), dl);
    if (!/^attachment; filename="iiot-report-\d+\.html"$/.test(disp || '')) throw new Error(disp);
  });
  await step('the shift report made on schedule at the shift end is listed and opens', async () => {
    await poll(() => !!document.querySelector('#report-list tr[data-how="schedule"][data-kind="shift"][data-line="l1"]'), null, 90000);
    const [popup] = await Promise.all([ctx.waitForEvent('page'), page.click('#report-list tr[data-how="schedule"] a.report-open')]);
    await popup.waitForSelector('#oee-report');
    const title = await popup.textContent('h1');
    if (title !== 'Shift report: l1, a') throw new Error(title);
    await popup.screenshot({ path: OUT + '/05-report.png', fullPage: true });
    await popup.close();
    await shot('04-reports');
  });
  await step('no console errors', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
