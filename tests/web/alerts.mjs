// Browser test of the alert console (tests/web/alerts.t).  Prints TAP.
//   URL, OP_PW (the operator's one-time password), OUT, PROFILE, SIM
//   (iiot-sim), RAMP (the cable-ramp scenario), RING (iiotd's ring)
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { browser, finish, step } from './harness.mjs';

const { URL, OP_PW, OUT, PROFILE, SIM, RAMP, RING } = process.env;
const { ctx, page, consoleErrors, poll, shot } = await browser(OUT, PROFILE);
const row = 'tr.alert-row:has(code:text-is("pn.dcp.set_from_stranger"))';

try {
  await step('operator signs in and sets a password', async () => {
    await page.goto(URL + '/');
    await page.fill('input[name=username]', 'op1');
    await page.fill('input[name=password]', OP_PW);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=new1]');
    await page.fill('input[name=old]', OP_PW);
    await page.fill('input[name=new1]', 'line operator 2026');
    await page.fill('input[name=new2]', 'line operator 2026');
    await page.click('button[type=submit]');
    await page.waitForSelector('#ov-devices');
  });
  await step('the header counts active alerts by severity', async () => {
    await page.waitForSelector('#alertbar a.sev-critical');
  });
  await step('the console lists the DCP Set from a stranger, critical', async () => {
    await page.click('#nav a[href="#/alerts"]');
    await page.waitForSelector(row);
    const sev = await page.textContent(row + ' .sev');
    if (sev !== 'Critical') throw new Error('severity ' + sev);
    await shot('01-alerts');
  });
  await step('the blocks section says iiot cannot block here (tap mode), nothing blocked', async () => {
    await page.waitForSelector('#block-status .block-mode');
    const st = await page.textContent('#block-status');
    if (!st.includes('Tap mode: iiot cannot block')) throw new Error('status ' + st);
    await page.waitForSelector('#block-list p.empty');
    if (await page.$('#block-toggle')) throw new Error('an operator may not switch enforcement');
  });
  await step('filter by severity', async () => {
    await page.selectOption('#alert-filter select[name=severity]', 'critical');
    await page.waitForTimeout(500);
    const sevs = await page.$$eval('#alert-list tr.alert-row .sev', (l) => [...new Set(l.map((e) => e.textContent))]);
    if (sevs.join() !== 'Critical') throw new Error('severities ' + sevs.join());
  });
  await step('acknowledge with a comment', async () => {
    await page.fill(row + ' input.comment', 'checked with the line');
    await page.click(row + ' button.ack');
    await page.waitForSelector(row + ':not(:has(button.ack))');
    const st = await page.textContent(row + ' td:nth-child(4)');
    if (!st.includes('acknowledged')) throw new Error('state ' + st);
  });
  await step('shelving without a reason is refused; with one it shelves', async () => {
    await page.click(row + ' button.shelve');
    await page.waitForSelector('#toast.bad');
    await page.fill(row + ' input.comment', 'renaming planned');
    await page.click(row + ' button.shelve');
    await page.waitForSelector(row + ' button.unshelve');
    await shot('02-shelved');
  });
  await step('the detail shows the evidence, the outcome and the history', async () => {
    await page.click(row + ' td:first-child a');
    await page.waitForSelector('#alert-detail dl');
    await shot('03-detail');
    const text = await page.textContent('#alert-detail');
    for (const want of ['accepted by the device', 'T0855', 'op1', 'renaming planned', 'checked with the line'])
      if (!text.includes(want)) throw new Error('missing ' + want);
    await shot('03-detail');
  });
  await step("the device's page lists its alerts", async () => {
    await page.click('#alert-detail dd a[href^="#/device/"]');
    await page.waitForSelector('#dev-alerts code:text-is("pn.dcp.set_from_stranger")');
    await shot('05-device-alerts');
    await page.goBack();
    await page.waitForSelector('#alert-detail dl');
  });
  await step('the evidence pcap downloads', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#alert-pcap')]);
    const file = path.join(OUT, 'evidence.pcap');
    await dl.saveAs(file);
    if (statSync(file).size < 100) throw new Error('pcap of ' + statSync(file).size + ' bytes');
  });
  await step('a slave behind a failing cable charts its port errors from the store', async () => {
    // the degrading line (after the faulty one): the cable into its 4th slave
    const find = async () => ((await (await fetch('/api/v1/devices?limit=1000')).json()).devices
      .find((x) => x.label === '00:1b:21:40:00:01/3') || {}).id;
    await poll(find, null, 30000);
    const id = await page.evaluate(find);
    await poll(async (i) => !!(await (await fetch('/api/v1/devices/' + i)).json()).diag_series, id, 15000);
    await page.goto(URL + '/#/device/' + id);
    await page.waitForSelector('#chart-esc');
    await poll(() => Number(document.getElementById('chart-esc').dataset.history) > 0, null, 15000);
    // the points the chart shows are the store's: port 0 counted errors.
    // The slave's series starts with the degrading line, its cable fails
    // 2 s later (the scenario's fault): wait for the failure to be stored,
    // the first stored point is often from before it.
    const stored = async (i) => {
      const s = (await (await fetch('/api/v1/devices/' + i)).json()).diag_series.rx_errors_p0;
      const r = await (await fetch('/api/v1/signals/' + s + '/samples?max_points=300')).json();
      return r.points.reduce((a, p) => a + p[3] * p[4], 0);
    };
    try {
      await poll(stored, id, 20000);
    } catch {
      throw new Error('no port 0 errors stored: ' + await page.evaluate(stored, id));
    }
    await shot('06-slave-port-errors');
    await page.goBack();
    await page.waitForSelector('#alert-detail dl');
  });
  await step('in Chinese too', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await page.waitForSelector('#alert-detail dl dt:text-is("级别")');
    const text = await page.textContent('#alert-detail');
    if (!text.includes('工程师站')) throw new Error('no zh-CN message');
    await shot('04-detail-zh');
    await page.selectOption('#lang', 'en');
  });
  await step("a predicted alert charts its fitted trend and the threshold (en, zh-CN)", async () => {
    // last: the ramp's 45 minutes of frames, unpaced, are stamped ahead
    // of the clock the steps above work in; the degrading line may still
    // be the ring's producer
    let r;
    for (let i = 0; i < 60; i++) {
      r = spawnSync(SIM, [RAMP, '--ring', RING, '--duration', '2700', '--fast'], { encoding: 'utf8', timeout: 120000 });
      if (r.status === 0 || !r.stderr.includes('already has a producer')) break;
      await page.waitForTimeout(500);
    }
    if (r.status !== 0) throw new Error('iiot-sim cable-ramp: ' + (r.error || r.status) + ' ' + r.stderr);
    const find = async () => ((await (await fetch('/api/v1/alerts?rule=diag.predicted')).json()).alerts[0] || {}).id;
    await poll(find, null, 60000);
    const id = await page.evaluate(find);
    const a = await page.evaluate(async (i) => (await fetch('/api/v1/alerts/' + i)).json(), id);
    await page.goto(URL + '/#/alert/' + id);
    await page.waitForSelector('#alert-fit .u-legend');
    const drawn = await page.$eval('#alert-fit', (el) => ({ ...el.dataset }));
    // from the first sample to the crossing, the threshold beside it
    if (Math.abs(Number(drawn.last) - a.fit.cross_ns / 1e9) > 1) throw new Error('line ends at ' + drawn.last + ', crossing ' + a.fit.cross_ns);
    if (Number(drawn.points) < 2 || Number(drawn.threshold) !== a.fit.threshold) throw new Error('drawn ' + JSON.stringify(drawn));
    const legend = async () => page.$$eval('#alert-fit .u-legend .u-series .u-label', (l) => l.map((e) => e.textContent));
    const en = await legend();
    if (!en.includes('fitted trend') || !en.includes('threshold')) throw new Error('legend ' + en.join());
    const text = await page.textContent('#alert-fit-text');
    if (!text.includes('rx_errors_p0') || !text.includes('threshold 10/min')) throw new Error('text ' + text);
    await shot('07-predicted-fit');
    await page.selectOption('#lang', 'zh-CN');
    await page.waitForSelector('#alert-fit .u-legend .u-series:has-text("阈值")');
    if (!(await legend()).includes('拟合趋势')) throw new Error('zh legend ' + (await legend()).join());
    if (!(await page.textContent('#alert-fit-text')).includes('达到阈值 10/min')) throw new Error('zh text');
    await shot('08-predicted-fit-zh');
    await page.selectOption('#lang', 'en');
  });
  await step('no console errors', async () => {
    const real = consoleErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'));
    if (real.length) throw new Error(real.join('\n'));
  });
} finally {
  await ctx.close();
}
finish();
