// Health scores (GET /diag, /devices/{id}/health): a badge with the score
// and its grade in words (never colour alone), and the reasons that took
// points off, each worded in the chosen language and linked to the alert
// it rests on.
import { h } from './dom.js';
import { t, currentLang } from './i18n.js';

const CLASS = { good: 'healthy', check: 'degraded', fault: 'failed' };
const num = (v) => (v === undefined || v === null ? '-' : Number(v).toFixed(v >= 10 ? 0 : 2));

export function healthBadge(score, grade, attrs) {
  if (score === undefined || score === null) return h('span', attrs || {}, '-');
  return h('span', Object.assign({ class: 'badge ' + (CLASS[grade] || ''), title: t('health.title') }, attrs || {}),
    String(score) + ' · ' + t('grade.' + grade));
}

// the reason in the UI's language: a diagnosis has its zh-CN message from
// iiotd; the measured reasons are worded here from their numbers
export function reasonText(r, viaLink) {
  const zh = currentLang() === 'zh-CN';
  const pre = viaLink && r.link ? t('health.via_link', { id: r.link }) : '';
  if (r.alert) return zh && r.text_zh ? pre + r.text_zh : r.text;
  const k = 'health.' + r.code;
  if (!zh || t(k) === k) return r.text;
  return pre + t(k, { value: num(r.value), limit: num(r.limit), text: r.text });
}

export function reasonList(hl, viaLink, id) {
  if (!hl || !hl.reasons || !hl.reasons.length) return h('p', { class: 'health-none', id }, t('health.none'));
  return h('ul', { class: 'health-reasons', id }, hl.reasons.map((r) => h('li', { dataset: { code: r.code } },
    h('span', { class: 'points' }, '−' + r.points), ' ', reasonText(r, viaLink),
    r.alert ? [' ', h('a', { href: '#/alert/' + r.alert }, t('health.alert'))] : null)),
  hl.more ? h('li', {}, t('health.more', { n: hl.more })) : null);
}
