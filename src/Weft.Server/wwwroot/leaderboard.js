// The leaderboard page: fetches /api/leaderboard (and the arena's ratings), fills a sortable models × tasks table, and draws quality against
// speed, cost and size as SVG scatter charts with the Pareto frontier (no library; the CSP allows only this file).
const NS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

function headers() {
  const h = {};
  const key = localStorage.getItem('weft.apiKey');
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

function num(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v; // NaN / Infinity literals
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(4);
}

function bytes(b) {
  if (b === null || b === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${b} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

function primary(run) {
  if (run.error) return 'failed';
  const v = run.metrics[run.primary];
  const se = run.metrics[run.primary + '_stderr'];
  return typeof se === 'number' ? `${num(v)} ± ${num(se)}` : num(v);
}

// one column: heading text and, per row, [shown text, sort key (number, or null to sort last), css class]
function columns(board) {
  const cols = [
    { h: 'model', cell: (r) => [r.model.model + (r.model.error ? ` (failed: ${r.model.error})` : ''), r.model.model, 'model'] },
  ];
  for (const t of board.tasks) {
    const any = board.rows.map((r) => r.runs[t]).find((x) => x);
    const h = any ? `${t} ${any.primary} ${any.higher_is_better ? '↑' : '↓'}` : t;
    cols.push({ h, cell: (r) => { const run = r.runs[t]; if (!run) return ['—', null, 'num'];
      const v = run.metrics[run.primary]; return [primary(run), run.error || typeof v !== 'number' ? null : v, 'num']; } });
  }
  cols.push({ h: 'avg', cell: (r) => [num(r.average), r.average ?? null, 'num'] });
  cols.push({ h: 'size', cell: (r) => [bytes(r.model.file_bytes), r.model.file_bytes ?? null, 'num'] });
  cols.push({ h: 'prompt tok/s', cell: (r) => [num(r.model.prompt_tps), r.model.prompt_tps ?? null, 'num'] });
  cols.push({ h: 'gen tok/s', cell: (r) => [num(r.model.gen_tps), r.model.gen_tps ?? null, 'num'] });
  cols.push({ h: '$/Mtok', cell: (r) => [num(r.model.cost_blended), r.model.cost_blended ?? null, 'num'] });
  if ((board.arena ?? []).length > 0) {
    cols.push({ h: 'arena rating', cell: (r) => { const a = arenaFor(board.arena, r.model.model);
      return a ? [`${a.rating.toFixed(0)} (${a.lower.toFixed(0)}–${a.upper.toFixed(0)})`, a.rating, 'num'] : ['—', null, 'num']; } });
  }
  return cols;
}

function renderTable(board) {
  const table = $('board');
  const cols = columns(board);
  const head = document.createElement('tr');
  cols.forEach((c, i) => {
    const th = document.createElement('th');
    th.textContent = c.h;
    th.scope = 'col';
    th.tabIndex = 0;
    const sort = () => sortBy(table, i, th);
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    head.appendChild(th);
  });
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren(...board.rows.map((r) => {
    const tr = document.createElement('tr');
    for (const c of cols) {
      const [text, key, cls] = c.cell(r);
      const td = document.createElement('td');
      td.textContent = text;
      td.className = cls;
      if (typeof key === 'number') td.dataset.v = String(key);
      tr.appendChild(td);
    }
    return tr;
  }));
}

// the arena's rating of an evaluated model: the same name, or a server id whose last part is that name
function arenaFor(arena, name) {
  return arena.find((a) => a.model === name) ?? arena.find((a) => a.model.split('/').pop().replace(/\.gguf$/i, '') === name);
}

function renderArena(arena) {
  const body = $('arena').tBodies[0];
  body.replaceChildren(...arena.map((r, i) => {
    const tr = document.createElement('tr');
    [i + 1, r.model, r.rating.toFixed(0), `${r.lower.toFixed(0)} – ${r.upper.toFixed(0)}`, r.battles, r.wins, r.ties, r.losses].forEach((v, k) => {
      const td = document.createElement('td');
      td.textContent = String(v);
      td.className = k === 1 ? 'model' : 'num';
      tr.appendChild(td);
    });
    return tr;
  }));
  const overlap = arena.some((r, i) => arena.some((q, j) => j > i && r.lower <= q.upper && q.lower <= r.upper));
  const few = arena.some((r) => r.battles < 10);
  $('arena-status').textContent = arena.length === 0 ? 'No arena votes yet: vote at /arena.'
    : few ? 'Not enough votes yet: some model has fewer than 10 battles.'
    : overlap ? 'Not enough votes yet: some 95 % intervals overlap.' : `${arena.length} models rated.`;
}

// first click sorts descending (best first for scores), the next ascending; missing values stay last
function sortBy(table, index, th) {
  const descending = th.getAttribute('aria-sort') !== 'descending';
  table.tHead.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
  th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
  const d = descending ? -1 : 1;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((x, y) => {
    const a = x.cells[index], b = y.cells[index];
    const p = a.dataset.v, q = b.dataset.v;
    if (p !== undefined || q !== undefined) {
      if (p === undefined) return 1;
      if (q === undefined) return -1;
      return d * (Number(p) - Number(q));
    }
    return d * a.textContent.localeCompare(b.textContent);
  });
  body.append(...rows);
}

// indices of points no other beats on both axes (better or equal on both, strictly better on one)
function frontier(points, xHigher) {
  const sx = (p) => (xHigher ? p.x : -p.x);
  return points.map((p, i) => i).filter((i) => !points.some((q) =>
    sx(q) >= sx(points[i]) && q.y >= points[i].y && (sx(q) > sx(points[i]) || q.y > points[i].y)));
}

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function ticks(lo, hi, log) {
  if (log) { const t = []; for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) t.push(10 ** e); return t; }
  const raw = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(raw)), n = raw / mag;
  const step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
  const t = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) t.push(Math.round(v / step) * step);
  return t;
}

function label(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(+v.toPrecision(3)); }

function chart(title, xLabel, points, xHigher, log) {
  const W = 640, H = 400, L = 64, R = 24, T = 36, B = 52, pw = W - L - R, ph = H - T - B;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' });
  svg.appendChild(el('text', { x: W / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }, title));
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || p.x > 0));
  if (pts.length === 0) {
    svg.appendChild(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'font-size': 12 }, 'no models with this figure yet'));
    return svg;
  }
  let xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 === y0) { y0 -= 0.05; y1 += 0.05; } else { const m = (y1 - y0) * 0.08; y0 -= m; y1 += m; }
  const xt = log ? ticks(x0, x1, true) : (() => { if (x1 === x0) { x0 -= Math.abs(x0) * 0.1 || 1; x1 += Math.abs(x1) * 0.1 || 1; } const m = (x1 - x0) * 0.08; return ticks(x0 - m, x1 + m, false); })();
  const yt = ticks(y0, y1, false);
  [x0, x1] = [Math.min(xt[0], log ? x0 : Infinity), Math.max(xt[xt.length - 1], log ? x1 : -Infinity)];
  [y0, y1] = [Math.min(yt[0], y0), Math.max(yt[yt.length - 1], y1)];
  const f = (v, a, b) => (b > a ? (v - a) / (b - a) : 0.5);
  const px = (x) => L + (log ? f(Math.log10(x), Math.log10(x0), Math.log10(x1)) : f(x, x0, x1)) * pw;
  const py = (y) => T + (1 - f(y, y0, y1)) * ph;
  svg.appendChild(el('line', { x1: L, y1: T + ph, x2: L + pw, y2: T + ph, stroke: '#888' }));
  svg.appendChild(el('line', { x1: L, y1: T, x2: L, y2: T + ph, stroke: '#888' }));
  for (const t of xt) {
    svg.appendChild(el('line', { x1: px(t), y1: T + ph, x2: px(t), y2: T + ph + 5, stroke: '#888' }));
    svg.appendChild(el('text', { x: px(t), y: T + ph + 18, 'text-anchor': 'middle', 'font-size': 11 }, label(t)));
  }
  for (const t of yt) {
    svg.appendChild(el('line', { x1: L, y1: py(t), x2: L + pw, y2: py(t), class: 'grid' }));
    svg.appendChild(el('text', { x: L - 8, y: py(t) + 4, 'text-anchor': 'end', 'font-size': 11 }, label(t)));
  }
  svg.appendChild(el('text', { x: L + pw / 2, y: H - 10, 'text-anchor': 'middle', 'font-size': 12 }, xLabel + (log ? ' (log scale)' : '')));
  svg.appendChild(el('text', { transform: `translate(16 ${T + ph / 2}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': 12 }, 'quality (mean normalised score)'));
  const front = new Set(frontier(pts, xHigher));
  const steps = [...front].sort((a, b) => pts[a].x - pts[b].x);
  let d = `M${px(pts[steps[0]].x)} ${py(pts[steps[0]].y)}`;
  for (let k = 1; k < steps.length; k++) {
    const b = pts[steps[k]];
    d += xHigher ? ` V${py(b.y)} H${px(b.x)}` : ` H${px(b.x)} V${py(b.y)}`;
  }
  svg.appendChild(el('path', { d, class: 'frontier', fill: 'none', stroke: '#d62728', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }));
  pts.forEach((p, i) => {
    const on = front.has(i);
    const c = el('circle', { cx: px(p.x), cy: py(p.y), r: on ? 6 : 4.5, fill: on ? '#d62728' : '#1f77b4', stroke: on ? '#000' : '#fff', class: on ? 'point frontier' : 'point' });
    c.appendChild(el('title', {}, `${p.label}: ${label(p.x)}, ${label(p.y)}`));
    svg.appendChild(c);
    svg.appendChild(el('text', { x: px(p.x) + 8, y: py(p.y) - 6, 'font-size': 11 }, p.label));
  });
  return svg;
}

function renderCharts(board) {
  const rated = board.rows.filter((r) => typeof r.average === 'number');
  const pick = (fx) => rated.map((r) => ({ x: fx(r.model), y: r.average, label: r.model.model })).filter((p) => typeof p.x === 'number');
  const figures = [
    chart('Quality vs generation speed', 'generation tokens/s', pick((m) => m.gen_tps ?? m.prompt_tps), true, false),
    chart('Quality vs cost', 'USD per million tokens (blended 3:1)', pick((m) => m.cost_blended), false, true),
    chart('Quality vs file size', 'file size (bytes)', pick((m) => m.file_bytes), false, true),
  ].map((svg) => { const fig = document.createElement('figure'); fig.appendChild(svg); return fig; });
  $('charts').replaceChildren(...figures);
}

async function load() {
  const task = new URLSearchParams(location.search).get('task');
  try {
    const res = await fetch('/api/leaderboard' + (task ? `?task=${encodeURIComponent(task)}` : ''), { headers: headers() });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    const board = await res.json();
    const arenaRes = await fetch('/api/arena/leaderboard', { headers: headers() });
    board.arena = arenaRes.ok ? await arenaRes.json() : [];
    renderArena(board.arena);
    renderTable(board);
    renderCharts(board);
    $('status').textContent = board.rows.length === 0
      ? 'No results yet: run weft eval first.'
      : `${board.rows.length} models, ${board.tasks.length} tasks.`;
  } catch (e) {
    $('status').textContent = `Could not load the leaderboard: ${e.message}`;
  }
}

load();
