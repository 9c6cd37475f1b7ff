// The top bar's "More" menu: the pages of engineers and administrators
// (descriptions, rules, baseline, users, audit, settings, evaluation), so
// the bar stays one row on a 1366x768 panel PC.  A disclosure button:
// Enter/Space/click toggles it, ArrowDown opens it on its first link,
// ArrowUp/ArrowDown move between links, Escape closes it back onto the
// button; leaving it (focus, a click elsewhere, a page change) closes it.

const box = () => document.getElementById('nav-more-box');
const btn = () => document.getElementById('nav-more');
const menu = () => document.getElementById('nav-more-menu');
const links = () => [...menu().querySelectorAll('a')].filter((a) => !a.hidden);

export function close(focusButton) {
  if (menu().hidden) return;
  menu().hidden = true;
  btn().setAttribute('aria-expanded', 'false');
  if (focusButton) btn().focus();
}

function open(focusFirst) {
  menu().hidden = false;
  btn().setAttribute('aria-expanded', 'true');
  if (focusFirst && links().length) links()[0].focus();
}

function move(by) {
  const l = links();
  const i = l.indexOf(document.activeElement);
  if (l.length) l[(i + by + l.length) % l.length].focus();
}

export function init() {
  btn().addEventListener('click', () => (menu().hidden ? open(false) : close(false)));
  box().addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { close(true); ev.preventDefault(); }
    else if (ev.key === 'ArrowDown') { if (menu().hidden) open(true); else move(1); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp' && !menu().hidden) { move(-1); ev.preventDefault(); }
  });
  box().addEventListener('focusout', (ev) => { if (!box().contains(ev.relatedTarget)) close(false); });
  document.addEventListener('click', (ev) => { if (!box().contains(ev.target)) close(false); });
  menu().addEventListener('click', (ev) => { if (ev.target.closest('a')) close(false); });
}

// After the links' permissions are set: no button without a link behind
// it; the button is marked while one of its pages is shown.
export function update(hash) {
  box().hidden = !links().length;
  if (hash !== undefined)
    btn().classList.toggle('active', links().some((a) => hash.startsWith(a.getAttribute('href'))));
}
