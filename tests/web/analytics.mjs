// Browser test of the OEE board, rule editor and anomaly band (tests/web/analytics.t).  Prints TAP.
//   URL, ENG_PW (the engineer's one-time password), ADMIN_PW (the admin's
//   password), ADMIN_CODE (one of its recovery codes), OUT, PROFILE
import { browser, finish, firstSignIn, navTo, step } from './harness.mjs';

const { URL, ENG_PW, ADMIN_PW, ADMIN_CODE, OUT, PROFILE } = process.env;
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
  await step('the rule editor: an expression error is shown beside the field, its column marked', async () => {
    await navTo(page, '#/rules');
    await page.waitForSelector('#rule-form');
    await page.fill('#rule-f-name', 'jam');
    await page.selectOption('#rule-f-kind', 'expr');
    if (!(await page.isHidden('[data-key="signal"]')) || !(await page.isHidden('[data-key="limit"]'))) throw new Error('threshold fields shown for expr');
    await page.fill('#rule-f-expr', 'm_count > 5 and (m_state < 3');
    await page.click('#rule-check');
    await poll(() => /column 29/.test(document.getElementById('rule-err-expr').textContent));
    const caret = await page.textContent('#rule-caret');
    if ((await page.getAttribute('#rule-caret', 'data-column')) !== '29' || caret.split('\n')[1] !== ' '.repeat(28) + '^') throw new Error(JSON.stringify(caret));
    await page.fill('#rule-f-expr', '');
    await page.selectOption('#rule-insert', 'm_state');
    await page.type('#rule-f-expr', ' == 3');
    await page.click('#rule-check');
    await poll(() => /good/.test(document.getElementById('rule-status').textContent));
    if (await page.textContent('#rule-err-expr')) throw new Error('the old error stayed');
    await shot('02-rule-error');
  });
  await step('a threshold: no signal chosen, a limit that is no number and a bad vendor of its devices are refused beside their fields; a group of devices is taken', async () => {
    await page.selectOption('#rule-f-kind', 'threshold');
    await page.fill('#rule-f-limit', '1e9');
    await page.click('#rule-check');
    await poll(() => /'signal' is required/.test(document.getElementById('rule-err-signal').textContent));
    await page.selectOption('#rule-f-signal', ['m_count']);
    await page.fill('#rule-f-limit', 'lots');
    await page.click('#rule-check');
    await poll(() => /'lots' is not a number/.test(document.getElementById('rule-err-limit').textContent));
    if (await page.textContent('#rule-err-signal')) throw new Error('the signal error stayed');
    await page.fill('#rule-f-limit', '1e9');
    await page.selectOption('#rule-f-device_kind', 'pn-device');
    await page.fill('#rule-f-device_vendor', '0x2a siemens');
    await page.click('#rule-check');
    await poll(() => /'siemens' is not a vendor ID/.test(document.getElementById('rule-err-device_vendor').textContent));
    await page.fill('#rule-f-device_vendor', '');
    await page.fill('#rule-f-device', 'pn:*');
    await page.click('#rule-check');
    await poll(() => /good/.test(document.getElementById('rule-status').textContent));
    const sent = JSON.parse(await page.textContent('#rule-json'));
    if (sent.device_kind !== 'pn-device' || sent.device !== 'pn:*' || 'device_vendor' in sent) throw new Error(JSON.stringify(sent));
    await page.selectOption('#rule-f-device_kind', '');
    await page.fill('#rule-f-device', '');
  });
  await step('saving makes version 1, a change version 2, a rollback version 3, a delete version 4', async () => {
    await page.fill('#rule-f-limit', '1e9');
    await page.fill('#rule-f-deadband', '2');
    await page.fill('#rule-f-on_delay', '5s');
    await page.fill('#rule-esc-after-0', '60s');
    await page.selectOption('#rule-esc-sev-0', 'critical');
    const sent = JSON.parse(await page.textContent('#rule-json'));
    const want = { name: 'jam', kind: 'threshold', signal: ['m_count'], above: 1e9, deadband: 2, on_delay: '5s', escalate: ['60s critical'] };
    if (JSON.stringify(sent) !== JSON.stringify(want)) throw new Error(JSON.stringify(sent));
    await page.click('#rule-save');
    await poll(() => /version 1/.test(document.getElementById('rule-status').textContent));
    await page.waitForSelector('#rule-list tr[data-rule="jam"][data-api="true"]');
    await page.waitForSelector('#rule-versions tr[data-version="1"][data-action="create"]');
    if (!(await page.isDisabled('#rule-f-name'))) throw new Error('the name of a saved rule can be changed');
    await page.selectOption('#rule-f-dir', 'below');
    await page.fill('#rule-f-limit', '-5');
    await page.click('#rule-save');
    await poll(() => /version 2/.test(document.getElementById('rule-status').textContent));
    await page.waitForSelector('#rule-versions tr[data-version="1"] button.rollback');
    await page.click('#rule-versions tr[data-version="1"] button.rollback');
    await page.waitForSelector('#rule-versions tr[data-version="3"][data-action="rollback 1"]');
    if ((await page.inputValue('#rule-f-limit')) !== '1000000000' || (await page.inputValue('#rule-f-dir')) !== 'above' ||
      (await page.inputValue('#rule-esc-after-0')) !== '60s') throw new Error('the form is not version 1');
    await shot('03-rules');
    await page.click('#rule-delete');
    await page.click('#confirm-ok');
    await page.waitForSelector('#rule-versions tr[data-version="4"][data-action="delete"]');
    await poll(() => !document.querySelector('#rule-list tr[data-rule="jam"]'));
  });
  await step('the rule editor in Chinese', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await page.waitForSelector('#rule-form');
    const label = await page.textContent('[data-key="kind"] > span');
    const opt = await page.textContent('#rule-f-kind option[value="stuck"]');
    if (label !== '类型' || !/卡滞/.test(opt)) throw new Error(label + ' ' + opt);
    await page.selectOption('#rule-f-kind', 'expr');
    await page.fill('#rule-f-name', 'jam2');
    await page.fill('#rule-f-expr', 'm_count >');
    await page.click('#rule-check');
    await poll(() => /column 10/.test(document.getElementById('rule-err-expr').textContent));
    await shot('04-rules-zh');
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('#rule-form');
  });
  await step('an administrator sees the rule\'s audit rows beside its versions', async () => {
    await page.click('#logout');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PW);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    await page.fill('input[name=code]', ADMIN_CODE);
    await page.click('button[type=submit]');
    await page.waitForSelector('#ov-devices');
    await page.goto(URL + '/#/rules');
    await page.waitForSelector('#rule-form');
    // the deleted rule made again: refused once (a bad duration), then saved
    await page.fill('#rule-f-name', 'jam');
    await page.selectOption('#rule-f-kind', 'stale');
    await page.selectOption('#rule-f-signal', ['m_state']);
    await page.fill('#rule-f-after', 'soon');
    await page.click('#rule-save');
    await poll(() => document.getElementById('rule-err-after').textContent !== '');
    await page.fill('#rule-f-after', '1h');
    await page.click('#rule-save');
    await page.waitForSelector('#rule-versions tr[data-version="5"][data-action="create"]');
    await page.waitForSelector('#rule-audit tr[data-result]');
    const rows = await page.$$eval('#rule-audit tbody tr', (r) => r.map((x) => x.dataset.result + ' ' + x.children[1].textContent + ' ' + x.children[2].textContent));
    if (!rows.some((r) => /^ok eng1 DELETE /.test(r)) || !rows.some((r) => /^ok eng1 PUT /.test(r)) || !rows.some((r) => /^fail admin POST /.test(r))) throw new Error(rows.join('\n'));
    await shot('05-rule-audit');
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
    await shot('06-band');
  });
  await step('the band is kept: a past range draws the bands in force then', async () => {
    // a row is written on the tick after the profile judges; the chart refreshes every 5 s
    await poll(() => /^m_\w+:\d+$/.test(document.getElementById('trend-chart').dataset.bandHistory || ''), null, 30000);
    const [name] = (await page.getAttribute('#trend-chart', 'data-band-history')).split(':');
    const id = await page.evaluate(async (n) => (await (await fetch('/api/v1/signals')).json()).signals.find((s) => s.name === n).id, name);
    const first = await page.evaluate(async (i) => (await (await fetch('/api/v1/analytics/band/' + i + '?from=0')).json()).history[0], id);
    if (!first || !(first[1] < first[2])) throw new Error(JSON.stringify(first));
    // a window that ended 1 s after the first row: only the history can shade it
    await page.evaluate((t) => {
      const local = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 19);
      const f = document.getElementById('trend-from'), to = document.getElementById('trend-to');
      f.value = local(t - 60000); to.value = local(t + 1000);
      to.dispatchEvent(new Event('change'));
    }, first[0]);
    await poll((t) => { const d = document.getElementById('trend-chart').dataset; return Number(d.to) <= t + 2000 && /:\d+$/.test(d.bandHistory || ''); }, first[0]);
    await shot('06-band-past');
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
    await popup.screenshot({ path: OUT + '/08-report.png', fullPage: true });
    await popup.close();
    await shot('07-reports');
  });
  await step('no console errors', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
