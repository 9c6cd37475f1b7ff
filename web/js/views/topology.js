// The drawn topology (GET /api/v1/topology): each line a band of nodes in
// cable order — an EtherCAT master then its slaves in ring order, a
// PROFINET controller, its switch and its devices as LLDP chains them —
// wrapped into rows.  Nodes are coloured by health and say it in words
// (title, accessible name); cables by their state.  Every node is a link
// to its device: Tab walks them in cable order, arrow keys move along
// the drawing, Enter opens the device.
import { get } from '../api.js';
import { h, devName } from '../dom.js';
import { t } from '../i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const COLS = 20;		// nodes per row of a band
const W = 64, H = 34, GX = 22, GY = 30, PAD = 12;
// presentation attributes, not style: the CSP allows no inline styles.
// Light fills under dark text keep 4.5:1; the state is also in words.
const FILL = { good: '#ebfbee', check: '#fff9db', fault: '#ffe3e3', offline: '#e9ecef', lldp: '#e7f0fb', missing: '#ffffff' };
const EDGE = { good: '#237032', check: '#8a5a00', fault: '#c92a2a', offline: '#5c6578', lldp: '#0b6bcb', missing: '#c92a2a' };
const WIRE = { up: ['#5c6578', null], fault: ['#c92a2a', '6 3'], down: ['#adb5bd', '2 4'] };

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const kid of kids.flat()) if (kid !== undefined && kid !== null) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return el;
}

// the node's state in one word: an ENI's slave the line lacks first,
// then offline, then its health grade
function nodeState(n) {
  if (n.missing) return 'missing';
  if (!n.online) return 'offline';
  if (n.health_grade) return n.health_grade;
  return 'lldp';
}

function kindName(n) {
  return n.kind === 'switch' || n.kind === 'station' ? t('topology.kind.' + n.kind) : t('kind.' + n.kind);
}

// Bands: connected groups of nodes, each in cable order from its head
// (a master, a controller, else its first node); lone nodes last.
function bands(nodes, links) {
  const adj = new Map(nodes.map((n) => [n.key, []]));
  for (const l of links) {
    if (!adj.has(l.a) || !adj.has(l.b)) continue;
    adj.get(l.a).push(l.b);
    adj.get(l.b).push(l.a);
  }
  const rank = (n) => ({ 'ecat-master': 0, 'pn-controller': 1 }[n.kind] ?? 2);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const heads = nodes.slice().sort((a, b) => rank(a) - rank(b) || (a.device || 1e9) - (b.device || 1e9));
  const seen = new Set(), out = [], lone = [];
  for (const head of heads) {
    if (seen.has(head.key)) continue;
    const band = [], stack = [head.key];
    while (stack.length) {	// depth first: a chain comes out in order
      const k = stack.pop();
      if (seen.has(k)) continue;
      seen.add(k);
      band.push(byKey.get(k));
      // the neighbour along the chain last, so it comes out next
      const next = adj.get(k).filter((x) => !seen.has(x));
      stack.push(...next.reverse());
    }
    (band.length > 1 ? out : lone).push(...(band.length > 1 ? [band] : band));
  }
  if (lone.length) out.push(lone);
  return out;
}

function layout(nodes, links) {
  const pos = new Map();
  let y = PAD;
  const rows = [];
  for (const band of bands(nodes, links)) {
    band.forEach((n, i) => {
      const r = Math.floor(i / COLS), c = i % COLS;
      // rows of a band snake, so a chain's next node stays near
      const col = r % 2 ? COLS - 1 - c : c;
      pos.set(n.key, { x: PAD + col * (W + GX), y: y + r * (H + GY), n });
    });
    const nrows = Math.ceil(band.length / COLS);
    rows.push(band);
    y += nrows * (H + GY) + GY;
  }
  return { pos, height: y, width: PAD * 2 + COLS * (W + GX) - GX, bands: rows };
}

function short(label) {
  return label.length > 9 ? '…' + label.slice(-8) : label;
}

function cable(l, pos) {
  const a = pos.get(l.a), b = pos.get(l.b);
  if (!a || !b) return null;
  const say = t('topology.cable', { a: devName(a.n), ap: l.a_port, b: devName(b.n), bp: l.b_port }) + ': ' + t('topology.state.' + l.state);
  return s('line', { class: 'cable ' + l.state, stroke: WIRE[l.state][0], 'stroke-dasharray': WIRE[l.state][1],
    'stroke-width': l.state === 'fault' ? 3 : 2, x1: a.x + W / 2, y1: a.y + H / 2, x2: b.x + W / 2, y2: b.y + H / 2,
    'data-a': l.a, 'data-b': l.b, 'data-state': l.state }, s('title', {}, say + (l.alerts.length ? ' (' + l.alerts.map((x) => x.rule).join(', ') + ')' : '')));
}

function node(p) {
  const n = p.n, st = nodeState(n);
  const words = (n.alias ? n.alias + ' (' + n.label + ')' : n.label) + ', ' + kindName(n) + ', ' + t('topology.state.' + st) +
    (n.expected && n.expected !== n.label ? ' (' + t('topology.expected', { name: n.expected }) + ')' : '') +
    (n.health !== undefined ? ' (' + n.health + ')' : '') + (n.alerts.length ? ', ' + t('topology.alerts', { n: n.alerts.length }) : '');
  const box = s('g', { class: 'tnode ' + st, 'data-node': n.key, 'data-device': n.device, 'data-state': st },
    s('title', {}, words),
    s('rect', { x: p.x, y: p.y, width: W, height: H, rx: n.kind === 'switch' ? 2 : 6, fill: FILL[st], stroke: EDGE[st],
      'stroke-width': st === 'fault' || st === 'missing' ? 3 : 1.5, 'stroke-dasharray': st === 'missing' ? '5 3' : null }),
    s('text', { x: p.x + W / 2, y: p.y + 14, 'text-anchor': 'middle', 'font-size': 11, fill: '#1d2330' }, short(devName(n))),
    s('text', { x: p.x + W / 2, y: p.y + 27, 'text-anchor': 'middle', 'font-size': 10, fill: '#1d2330', class: 'sub' },
      n.alerts.length ? '⚠ ' + n.alerts.length : t('topology.short.' + st)));
  if (!n.device) return s('g', { tabindex: 0, role: 'img', 'aria-label': words, class: 'tfocus' }, box);
  return s('a', { href: '#/device/' + n.device, 'aria-label': words, class: 'tfocus' }, box);
}

function swatch(k) {
  return s('svg', { width: 22, height: 14, 'aria-hidden': 'true' },
    s('rect', { x: 1, y: 1, width: 20, height: 12, rx: 3, fill: FILL[k], stroke: EDGE[k], 'stroke-dasharray': k === 'missing' ? '4 2' : null }));
}

function wire(k) {
  return s('svg', { width: 26, height: 14, 'aria-hidden': 'true' },
    s('line', { x1: 1, y1: 7, x2: 25, y2: 7, stroke: WIRE[k][0], 'stroke-dasharray': WIRE[k][1], 'stroke-width': 2 }));
}

function legend() {
  return h('p', { class: 'tlegend', id: 'topo-legend' },
    ['good', 'check', 'fault', 'offline', 'lldp', 'missing'].map((k) => h('span', { dataset: { key: k } }, swatch(k), ' ', t('topology.state.' + k), '  ')),
    ['up', 'fault', 'down'].map((k) => h('span', { dataset: { cable: k } }, wire(k), ' ', t('topology.cable.' + k), '  ')));
}

// arrow keys move along the drawing's order; Home/End to its ends
function keys(svg) {
  svg.addEventListener('keydown', (ev) => {
    const all = [...svg.querySelectorAll('.tfocus')];
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    const step = { ArrowRight: 1, ArrowDown: COLS, ArrowLeft: -1, ArrowUp: -COLS }[ev.key];
    let j = null;
    if (step) j = Math.max(0, Math.min(all.length - 1, i + step));
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = all.length - 1;
    if (j === null) return;
    ev.preventDefault();
    all[j].focus();
  });
}

export async function topologyDrawing(main) {
  const topo = await get('/topology');
  const { pos, width, height } = layout(topo.nodes, topo.links);
  const svg = s('svg', { id: 'topo-svg', viewBox: '0 0 ' + width + ' ' + height, width: '100%', role: 'group',
    'aria-label': t('topology.drawing_label', { n: topo.nodes.length, l: topo.links.length }) },
  s('g', { class: 'cables' }, topo.links.map((l) => cable(l, pos))),
  s('g', { class: 'nodes' }, [...pos.values()].map(node)));
  keys(svg);
  main.append(h('div', { class: 'card', id: 'topo-card' }, h('h2', {}, t('topology.drawing')),
    legend(), h('p', {}, t('topology.keys')), h('div', { class: 'tscroll' }, svg)));
  return svg;
}
