// Tiny DOM helpers: elements are built, never parsed from strings, so
// nothing the server or a device name says can become markup.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

// A device as people know it: the alias they gave it when it has one
// (PATCH /devices/{id}), else its label; devName's element keeps the
// label (MAC, MAC/position) beside the alias, smaller.
export const devName = (d) => (d && d.alias) || (d && d.label) || '';
export function devNameEl(d) {
  if (!d.alias) return d.label;
  return h('span', { class: 'dev-name' }, d.alias, ' ', h('small', { class: 'dev-label' }, d.label));
}

export function table(cols, rows, rowAttrs) {
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r, i) => h('tr', rowAttrs ? rowAttrs(i) : {}, r.map((c) => h('td', {}, c))))));
}

export function toast(msg, bad) {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

// Times are local with their zone written out ("UTC", "GMT+8"): a plant
// PC's clock and a remote engineer's may differ.
const p2 = (n) => String(n).padStart(2, '0');
function zoneOf(d) {
  const z = new Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName');
  return z ? z.value : '';
}

export function fmtClock(ms) {
  if (!ms) return '-';
  const d = new Date(ms);
  return p2(d.getHours()) + ':' + p2(d.getMinutes()) + ':' + p2(d.getSeconds()) + ' ' + zoneOf(d);
}

export function fmtTime(ms) {
  if (!ms) return '-';
  const d = new Date(ms);
  return d.getFullYear() + '-' + p2(d.getMonth() + 1) + '-' + p2(d.getDate()) + ' ' + fmtClock(ms);
}
