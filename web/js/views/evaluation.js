// The self-evaluation (docs/operations.md, "Evaluation"): the last run's
// checks with their evidence and its HTML report, the score's trend over
// the runs, and the nonconformities: open ones with a form for an admin
// to close each with the corrective action (audited by the API), then
// those closed and verified.  An admin may run an evaluation now.
import { get, post } from '../api.js';
import { h, table, toast, fmtTime } from '../dom.js';
import { TimeChart } from '../chart.js';
import { t } from '../i18n.js';

const RUNS = 200;	// points of the trend

export async function evaluation(main, app) {
  const admin = app.can('settings.write');
  const last = h('div', { id: 'eval-last' });
  const trendCard = h('div', { class: 'card', id: 'eval-trend-card' }, h('h2', {}, t('eval.trend')));
  const open = h('div', { id: 'eval-open' });
  const done = h('div', { id: 'eval-done' });
  const sched = h('p', { id: 'eval-schedule' });
  let chart = null;
  let shownRun = -1;

  function schedule(s) {
    if (!s) { sched.textContent = ''; return; }
    sched.textContent = s.interval_s ? t('eval.every', { h: Math.round(s.interval_s / 360) / 10, next: s.next_ms ? fmtTime(s.next_ms) : '-' }) :
      t('eval.unscheduled');
    if (s.pending) sched.textContent += ' ' + t('eval.pending');
  }

  async function drawLast(r) {
    if (!r) { last.replaceChildren(h('p', { id: 'eval-none' }, t('eval.none'))); return; }
    if (r.id === shownRun) return;
    const run = await get('/evaluation/runs/' + r.id);
    const u = (q) => '/api/v1/evaluation/runs/' + r.id + q;
    shownRun = r.id;
    last.dataset.run = String(r.id);
    last.replaceChildren(
      h('p', {}, h('b', { id: 'eval-score', class: 'badge ' + (run.failed ? 'degraded' : 'healthy'), dataset: { score: String(run.score) } },
        t('eval.score', { score: run.score })), ' ',
        t('eval.summary', { when: fmtTime(run.ts_ms), passed: run.passed, failed: run.failed, trigger: run.trigger }), ' ',
        h('a', { href: u('?format=html'), target: '_blank', rel: 'noopener', id: 'eval-report' }, t('eval.report')), ' ',
        h('a', { href: u('?format=html&download=1'), download: '', id: 'eval-download' }, t('reports.download')), ' ',
        h('a', { href: u(''), target: '_blank', rel: 'noopener' }, 'JSON')),
      table([t('eval.check'), t('eval.area'), t('eval.requirement'), t('eval.result'), t('eval.evidence')],
        run.checks.map((c) => [c.id, c.area, c.requirement, h('span', { class: 'badge ' + (c.result === 'pass' ? 'healthy' : 'failed') }, t('eval.result.' + c.result)), c.evidence]),
        (i) => ({ class: 'eval-check', dataset: { check: run.checks[i].id, result: run.checks[i].result } })));
  }

  function drawTrend(runs) {
    if (!chart) chart = new TimeChart(trendCard, t('eval.trend.title'), [t('eval.score.label')], '%');
    chart.el.id = 'eval-trend';
    chart.set(runs.slice().reverse().map((r) => [r.ts_ms, r.score]));
  }

  async function close(nc, input) {
    const action = input.value.trim();
    if (!action) { toast(t('eval.action.missing'), true); input.focus(); return; }
    try {
      await post('/evaluation/nonconformities/' + nc.id + '/close', { action });
      toast(t('eval.closed', { id: nc.id }));
      await loadNcs();
    } catch (e) { toast(e.message, true); }
  }

  async function loadNcs() {
    const all = (await get('/evaluation/nonconformities?state=all&limit=200')).nonconformities;
    const o = all.filter((n) => n.state === 'open');
    const d = all.filter((n) => n.state !== 'open');
    open.dataset.n = String(o.length);
    open.replaceChildren(o.length ? table([t('eval.nc'), t('eval.check'), t('eval.opened'), t('eval.evidence'), admin ? t('eval.action') : ''],
      o.map((n) => {
        const input = h('input', { class: 'eval-action', size: 24, maxlength: 1000, 'aria-label': t('eval.action') + ' ' + n.check });
        return ['#' + n.id, n.check, fmtTime(n.opened_ms) + (n.reopened ? ' (' + t('eval.reopened', { n: n.reopened }) + ')' : ''), n.evidence,
          admin ? h('span', {}, input, ' ', h('button', { class: 'eval-close', onclick: () => close(n, input) }, t('eval.close'))) : ''];
      }), (i) => ({ class: 'eval-nc', dataset: { nc: String(o[i].id), check: o[i].check } })) : h('p', { id: 'eval-no-open' }, t('eval.no_open')));
    done.replaceChildren(d.length ? table([t('eval.nc'), t('eval.check'), t('eval.state'), t('eval.closed_by'), t('eval.action'), t('eval.verified')],
      d.map((n) => ['#' + n.id, n.check, t('eval.state.' + n.state), (n.closed_by || '') + ' ' + (n.closed_ms ? fmtTime(n.closed_ms) : ''),
        n.action || '', n.verified_ms ? fmtTime(n.verified_ms) : '-']),
      (i) => ({ class: 'eval-done', dataset: { nc: String(d[i].id), state: d[i].state } })) : h('p', {}, t('eval.none_closed')));
  }

  async function load() {
    const r = await get('/evaluation/runs?limit=' + RUNS);
    schedule(r.schedule);
    await drawLast(r.runs[0]);
    drawTrend(r.runs);
    await loadNcs();
  }

  async function runNow() {
    try { await post('/evaluation/runs'); toast(t('eval.queued')); await load(); } catch (e) { toast(e.message, true); }
  }

  main.append(h('h1', { id: 'eval-title' }, t('eval.title')), h('p', {}, t('eval.help')),
    h('div', { class: 'card' }, h('h2', {}, t('eval.last')), sched,
      admin ? h('div', { class: 'toolbar' }, h('button', { id: 'eval-run', onclick: runNow }, t('eval.run'))) : '', last),
    trendCard,
    h('div', { class: 'card' }, h('h2', {}, t('eval.open')), open),
    h('div', { class: 'card' }, h('h2', {}, t('eval.done')), done));
  await load();
  // a run asked for lands a moment later; scheduled ones any time
  const timer = setInterval(() => { load().catch(() => {}); }, 3000);
  return () => { clearInterval(timer); if (chart) chart.destroy(); };
}
