// Confirmation of a consequential action: a modal <dialog> that states
// what will happen and, when asked, takes a reason for the audit log.
import { h } from './dom.js';
import { t } from './i18n.js';

// Resolves to the reason ('' when none was asked for) or null (cancelled).
export function confirmAction({ title, text, reason, ok }) {
  return new Promise((resolve) => {
    const err = h('p', { class: 'error', role: 'alert' });
    const why = reason ? h('textarea', { id: 'confirm-reason', name: 'reason', rows: 3, maxlength: 200, 'aria-required': 'true' }) : null;
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', { id: 'confirm-text' }, text),
      why ? h('label', { class: 'block' }, h('span', {}, reason), why) : null,
      err,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', id: 'confirm-ok', value: 'ok' }, ok || t('dialog.confirm')),
        h('button', { type: 'button', id: 'confirm-cancel', class: 'secondary', onclick: () => dlg.close('cancel') }, t('dialog.cancel'))));
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' }, form);
    form.addEventListener('submit', (ev) => {
      if (why && !why.value.trim()) { ev.preventDefault(); err.textContent = t('dialog.reason_needed'); why.focus(); }
    });
    dlg.addEventListener('close', () => {
      const yes = dlg.returnValue === 'ok';
      dlg.remove();
      resolve(yes ? (why ? why.value.trim() : '') : null);
    });
    document.body.append(dlg);
    dlg.showModal();
    (why || dlg.querySelector('#confirm-ok')).focus();
  });
}
