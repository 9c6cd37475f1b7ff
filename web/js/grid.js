// The dashboard grid: 12 columns, rows of ROW_PX, widgets placed by x, y,
// w, h.  In edit mode a widget moves by dragging its header and resizes by
// dragging its corner (pointer events: mouse, pen and touch alike), or from
// the keyboard: arrows move the focused widget a cell, Shift+arrows resize
// it.  A widget dropped onto others pushes them down, so none overlap.
export const COLS = 12;
export const ROWS = 100;
export const ROW_PX = 56;
export const MAX_H = 12;

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

// Keep w in the grid.
export function fit(w) {
  w.w = clamp(w.w, 1, COLS);
  w.h = clamp(w.h, 1, MAX_H);
  w.x = clamp(w.x, 0, COLS - w.w);
  w.y = clamp(w.y, 0, ROWS - w.h);
  return w;
}

// first holds its place; the others, top to bottom, move down below
// whatever they would overlap
export function settle(widgets, first) {
  const placed = first ? [first] : [];
  const rest = widgets.filter((w) => w !== first).sort((a, b) => a.y - b.y || a.x - b.x);
  for (const w of rest) {
    let hit;
    while ((hit = placed.find((p) => overlaps(p, w))) && hit.y + hit.h + w.h <= ROWS) w.y = hit.y + hit.h;
    placed.push(w);
  }
}

// the first row where a w-wide, h-high widget fits at the left
export function freeSpot(widgets, w, h) {
  for (let y = 0; y + h <= ROWS; y++) {
    for (let x = 0; x + w <= COLS; x++) {
      const c = { x, y, w, h };
      if (!widgets.some((o) => overlaps(o, c))) return { x, y };
    }
  }
  return { x: 0, y: 0 };
}

// grid: the container; onChange(widget) after a move or resize is done
export class Grid {
  constructor(el, onChange) {
    this.el = el;
    this.onChange = onChange;
    this.editing = false;
    this.items = new Map();	// widget -> element
    el.classList.add('dash-grid');
  }
  colPx() { return this.el.clientWidth / COLS; }
  // the cell under a page point
  cellAt(px, py) {
    const r = this.el.getBoundingClientRect();
    return { x: clamp(Math.floor((px - r.left) / this.colPx()), 0, COLS - 1), y: clamp(Math.floor((py - r.top) / ROW_PX), 0, ROWS - 1) };
  }
  place(w, el) {
    const c = this.colPx();
    el.style.left = (w.x * c) + 'px';
    el.style.top = (w.y * ROW_PX) + 'px';
    el.style.width = (w.w * c - 8) + 'px';
    el.style.height = (w.h * ROW_PX - 8) + 'px';
    el.dataset.x = w.x; el.dataset.y = w.y; el.dataset.w = w.w; el.dataset.h = w.h;
  }
  layout() {
    let rows = 4;
    for (const [w, el] of this.items) { this.place(w, el); rows = Math.max(rows, w.y + w.h); }
    this.el.style.height = ((rows + (this.editing ? 2 : 0)) * ROW_PX) + 'px';
  }
  add(w, el) {
    this.items.set(w, el);
    this.el.append(el);
    el.classList.add('dash-item');
    el.tabIndex = 0;
    const head = el.querySelector('.w-head');
    const corner = el.querySelector('.w-resize');
    head.addEventListener('pointerdown', (ev) => this.drag(ev, w, el, 'move'));
    corner.addEventListener('pointerdown', (ev) => this.drag(ev, w, el, 'size'));
    el.addEventListener('keydown', (ev) => this.key(ev, w));
    this.layout();
  }
  remove(w) {
    const el = this.items.get(w);
    if (el) el.remove();
    this.items.delete(w);
    this.layout();
  }
  changed(w) {
    settle([...this.items.keys()], w);
    this.layout();
    this.onChange(w);
  }
  drag(ev, w, el, mode) {
    if (!this.editing || ev.button !== 0 || ev.target.closest('button')) return;
    ev.preventDefault();
    const t = ev.currentTarget;
    t.setPointerCapture(ev.pointerId);
    const x0 = ev.clientX, y0 = ev.clientY, start = { ...w };
    el.classList.add('dragging');
    const move = (e) => {
      const dx = Math.round((e.clientX - x0) / this.colPx()), dy = Math.round((e.clientY - y0) / ROW_PX);
      if (mode === 'move') { w.x = start.x + dx; w.y = start.y + dy; } else { w.w = start.w + dx; w.h = start.h + dy; }
      fit(w);
      this.place(w, el);
    };
    const up = () => {
      t.removeEventListener('pointermove', move);
      t.removeEventListener('pointerup', up);
      t.removeEventListener('pointercancel', up);
      el.classList.remove('dragging');
      if (w.x !== start.x || w.y !== start.y || w.w !== start.w || w.h !== start.h) this.changed(w);
    };
    t.addEventListener('pointermove', move);
    t.addEventListener('pointerup', up);
    t.addEventListener('pointercancel', up);
  }
  key(ev, w) {
    if (!this.editing || ev.target !== this.items.get(w)) return;
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[ev.key];
    if (!d) return;
    ev.preventDefault();
    if (ev.shiftKey) { w.w += d[0]; w.h += d[1]; } else { w.x += d[0]; w.y += d[1]; }
    fit(w);
    this.changed(w);
    this.items.get(w).focus();
  }
}
