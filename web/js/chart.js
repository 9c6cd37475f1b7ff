// Time charts on uPlot (web/node_modules/uplot, installed by the build).
import uPlot from '/node_modules/uplot/dist/uPlot.esm.js';

export { uPlot };
export const COLORS = ['#0b6bcb', '#d9480f', '#237032', '#862e9c', '#a61e4d', '#5c6578', '#1098ad', '#8a5a00'];
const MAX_POINTS = 600;

// Charts take the width of their card and follow the window.
export function fitWidth(el) { return Math.max(300, (el.clientWidth || 900) - 4); }

// A chart of one or more series against time (seconds), appended to parent.
// labels: strings, or { label, scale } to put a series on its own axis
// (scales: { name: unit } in the order of the axes, left then right).
export class TimeChart {
  constructor(parent, title, labels, unit, scales) {
    this.el = document.createElement('div');
    this.el.className = 'chart';
    this.el.dataset.points = '0';
    parent.append(this.el);
    this.data = [[], ...labels.map(() => [])];
    const sc = scales || { y: unit || '' };
    const names = Object.keys(sc);
    this.plot = new uPlot({
      title, width: fitWidth(this.el), height: 220,
      scales: { x: { time: true } },
      axes: [{}, ...names.map((n, i) => ({ scale: n, label: sc[n], side: i ? 1 : 3, grid: { show: i === 0 } }))],
      series: [{}, ...labels.map((l, i) => ({ label: l.label || l, scale: l.scale || names[0],
        stroke: COLORS[i % COLORS.length], width: 1.5 }))],
    }, this.data, this.el);
    this.onResize = () => this.plot.setSize({ width: fitWidth(this.el), height: 220 });
    window.addEventListener('resize', this.onResize);
  }
  // points: [[ts_ms, v1, v2...], ...] oldest first.  Where the data has a
  // hole (more than three usual steps without a point) a null goes in, so
  // the line breaks instead of bridging the time nothing was measured.
  set(points) {
    this.data = [[], ...this.data.slice(1).map(() => [])];
    for (const p of withGaps(points)) this.push(p, true);
    this.redraw();
  }
  push(p, quiet) {
    const ts = p[0] / 1000;
    const xs = this.data[0];
    if (xs.length && ts <= xs[xs.length - 1]) return;
    xs.push(ts);
    for (let i = 1; i < this.data.length; i++) this.data[i].push(p[i] === undefined ? null : p[i]);
    if (xs.length > MAX_POINTS) for (const s of this.data) s.shift();
    if (!quiet) this.redraw();
  }
  redraw() {
    this.plot.setData(this.data);
    this.el.dataset.points = String(this.data[0].length);
    this.el.dataset.last = String(this.data[0].length ? this.data[0][this.data[0].length - 1] : 0);
    const s1 = this.data[1] || [];
    this.el.dataset.gap = s1.length && s1[s1.length - 1] === null ? '1' : '0';
  }
  destroy() { window.removeEventListener('resize', this.onResize); this.plot.destroy(); }
}

// [[ts_ms, v...], ...] with a row of nulls where the spacing jumps to more
// than three times its median
export function withGaps(points) {
  const steps = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b);
  const usual = steps.length ? steps[steps.length >> 1] : 0;
  const out = [];
  points.forEach((p, i) => {
    if (i && usual && p[0] - points[i - 1][0] > 3 * usual) out.push([points[i - 1][0] + usual, ...p.slice(1).map(() => null)]);
    out.push(p);
  });
  return out;
}
