// The catalog page: filters the built-in catalog through /api/catalog, shows cards with licence, size and openness,
// a detail panel with lineage, published scores and sizes per quant type, pulls through /api/pulls with progress, and
// the server's own models with actions (chat with one, compare it with others, evaluate it on the server through /api/evals). Every value is inserted as text, never as markup.
const $ = (id) => document.getElementById(id);
const COMPONENTS = [
  ['training_data', 'training data'], ['weights', 'full weights'], ['eval_code', 'evaluation code'],
  ['finetune_code', 'fine-tuning code'], ['training_metrics', 'training metrics'],
];
const state = { facetsLoaded: false, pulls: new Map(), local: [], tasks: [], evals: new Map() };

function headers(json) {
  const h = json ? { 'Content-Type': 'application/json' } : {};
  const key = localStorage.getItem('weft.apiKey');
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return data;
}

/** An element with attributes (on* never) and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v; else if (k === 'dataset') Object.assign(e.dataset, v); else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A link only for http(s) addresses; anything else is shown as text. */
function link(url, text) {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || u.protocol === 'http:') return el('a', { href: u.href, rel: 'noopener noreferrer', target: '_blank' }, text ?? url);
  } catch { /* not a URL */ }
  return document.createTextNode(text ?? String(url ?? ''));
}

function bytes(b) {
  if (b === null || b === undefined) return '—';
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`;
}

function params(p) { return p >= 1e9 ? `${+(p / 1e9).toFixed(1)}B` : `${+(p / 1e6).toFixed(1)}M`; }

function dots(openness) {
  return el('span', { class: 'dots', title: COMPONENTS.map(([k, n]) => `${n}: ${openness[k].status}`).join(', ') },
    COMPONENTS.map(([k, n]) => el('span', { class: `dot ${openness[k].status}`, 'aria-label': `${n} ${openness[k].status}` })));
}

function opennessLine(o) {
  return `${o.open}/5 open, ${o.verified}/5 verified · MOF class ${o.mof_class ?? 'none'} · openness index ${o.index}/100`;
}

// ---------- filters ----------
function fillSelect(select, values) {
  for (const v of values) select.append(new Option(v, v));
}

function query() {
  const q = new URLSearchParams();
  const add = (name, value) => { if (value) q.set(name, value); };
  add('search', $('f-search').value.trim());
  add('task', $('f-task').value); add('license', $('f-license').value); add('family', $('f-family').value);
  add('language', $('f-language').value); add('max_params', $('f-max-params').value); add('quant', $('f-quant').value);
  add('open', $('f-open').value);
  if ($('f-fits').checked) q.set('fits_ram', 'true');
  return q;
}

async function refresh() {
  let data;
  try {
    data = await api('GET', `/api/catalog?${query()}`);
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  if (!state.facetsLoaded) {
    fillSelect($('f-task'), data.facets.tasks); fillSelect($('f-family'), data.facets.families);
    fillSelect($('f-license'), data.facets.licenses); fillSelect($('f-language'), data.facets.languages);
    fillSelect($('f-quant'), data.facets.quants); $('f-quant').value = data.quant;
    state.facetsLoaded = true;
  }
  const ram = data.free_ram_bytes !== undefined ? ` · free RAM ${bytes(data.free_ram_bytes)}` : '';
  $('status').textContent = `${data.models.length} model${data.models.length === 1 ? '' : 's'}${ram}`;
  $('cards').replaceChildren(...data.models.map((m) => card(m, data.quant)));
  state.local = data.local;
  renderLocal();
  document.body.dataset.ready = 'true';
}

function card(m, quant) {
  const size = m.sizes.find((s) => s.quant === quant);
  const lic = m.license.id ?? m.license.name ?? 'unknown';
  return el('article', { class: 'card', dataset: { id: m.id } },
    el('h3', {}, m.name),
    el('div', { class: 'pub' }, [m.publisher, m.family, m.base ? `${m.relation} of ${m.base}` : 'base model'].filter(Boolean).join(' · ')),
    el('div', { class: 'facts' },
      el('span', { class: 'chip' }, `${params(m.parameters)} params`),
      el('span', { class: 'chip' }, `ctx ${m.context}`),
      el('span', { class: `chip license${m.license.commercial ? '' : ' no'}` }, `${lic}${m.license.commercial ? '' : ' · non-commercial'}`),
      size ? el('span', { class: 'chip size' }, `${quant} ${bytes(size.bytes)}${size.estimated ? ' (est.)' : ''}`) : null,
      m.local.length ? el('span', { class: 'chip local' }, 'on this server') : null),
    el('div', { class: 'tasks' }, m.tasks.map((t) => el('span', { class: 'chip task' }, t))),
    el('div', { class: 'openness' }, dots(m.openness), ' ', opennessLine(m.openness)),
    el('button', { type: 'button', class: 'details', dataset: { id: m.id } }, 'Details'));
}

// ---------- detail ----------
async function showDetail(id) {
  let d;
  try {
    d = await api('GET', `/api/catalog/${encodeURIComponent(id)}`);
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  const e = d.entry;
  const body = $('detail-body');
  body.replaceChildren(
    el('h2', {}, e.name), el('p', { class: 'muted' }, [e.publisher, e.hf_repo].filter(Boolean).join(' · ')),
    e.description ? el('p', {}, e.description) : null,
    el('table', { class: 'facts' }, el('tbody', {},
      row('architecture', e.architecture), row('parameters', e.parameters.toLocaleString('en')), row('context', e.context),
      row('licence', [e.license.id ?? e.license.name ?? 'unknown', ' · commercial use ', e.license.commercial ? 'allowed' : 'not allowed',
        e.license.link ? ' · ' : '', e.license.link ? link(e.license.link, 'licence text') : null]),
      row('tasks', e.tasks.join(', ')), row('languages', e.languages.join(', ')), row('facts from', link(e.source)))),
    el('h3', {}, 'Lineage'), lineage(d),
    el('h3', {}, 'Openness'), el('p', { class: 'open-line' }, dots(e.openness), ' ', opennessLine(e.openness)),
    el('table', { class: 'scorecard' }, el('tbody', {}, COMPONENTS.map(([k, n]) => {
      const c = e.openness[k];
      return el('tr', { dataset: { component: k } }, el('th', {}, n), el('td', { class: `status ${c.status}` }, c.status),
        el('td', {}, c.evidence ? link(c.evidence, 'evidence') : '', c.note ? ` ${c.note}` : ''));
    }))),
    el('h3', {}, 'Published scores'),
    e.scores.length === 0 ? el('p', { class: 'muted' }, 'none recorded') : el('table', { class: 'scores' }, el('tbody', {},
      e.scores.map((s) => el('tr', {}, el('th', {}, s.benchmark), el('td', { class: 'num' }, s.value),
        el('td', {}, s.setting ?? ''), el('td', {}, link(s.source, 'source')))))),
    el('h3', {}, 'Files'),
    el('table', { class: 'sizes' }, el('thead', {}, el('tr', {}, el('th', {}, 'type'), el('th', {}, 'file'), el('th', {}, 'with KV cache'), el('th', {}, ''))),
      el('tbody', {}, e.sizes.map((s) => el('tr', { dataset: { quant: s.quant } }, el('td', {}, s.quant),
        el('td', { class: 'num' }, bytes(s.bytes), s.estimated ? ' (est.)' : ''), el('td', { class: 'num' }, bytes(s.run_bytes)),
        el('td', {}, s.file ? el('button', { type: 'button', class: 'pull-button', dataset: { spec: `hf://${s.repo}/${s.file}` } }, 'Pull') : 'no known file'))))),
    el('div', { id: 'detail-pulls' }),
    d.local.length ? el('div', {}, el('h3', {}, 'On this server'), el('ul', {}, d.local.map((id) => localActions(id)))) : null);
  $('detail').hidden = false;
  $('detail').dataset.id = e.id;
  for (const job of state.pulls.values()) renderPull(job);
}

function row(name, ...value) { return el('tr', {}, el('th', {}, name), el('td', {}, ...value)); }

function lineage(d) {
  const chain = d.ancestry.slice(0, -1);
  const nodeButton = (n) => el('button', { type: 'button', class: 'node', dataset: { id: n.id } }, n.name);
  const render = (n, current) => el('li', { class: current ? 'current' : undefined }, nodeButton(n),
    n.relation ? el('span', { class: 'rel' }, ` ${n.relation}`) : null,
    n.children.length ? el('ul', {}, n.children.map((c) => render(c, false))) : null);
  let tree = el('ul', { class: 'tree' }, render(d.lineage, true));
  for (const a of chain.reverse()) tree = el('ul', { class: 'tree' }, el('li', {}, nodeButton(a), a.relation ? el('span', { class: 'rel' }, ` ${a.relation}`) : null, tree));
  return tree;
}

// ---------- the server's models ----------
function localActions(id) {
  const m = state.local.find((x) => x.id === id);
  const cmd = `weft eval openai:${location.origin}/v1#${id} --task kjv-perplexity,hellaswag --limit 200`;
  return el('li', { class: 'local-model', dataset: { id } },
    el('strong', {}, id), m?.type ? ` · ${m.type}` : '', m ? ` · ${bytes(m.bytes)}` : '',
    m?.catalog_id ? [' · ', el('button', { type: 'button', class: 'node', dataset: { id: m.catalog_id } }, m.catalog_id)] : '',
    ' ', el('a', { class: 'chat', href: `/?model=${encodeURIComponent(id)}` }, 'Chat'),
    ' ', el('a', { class: 'compare', href: `/compare?models=${encodeURIComponent(id)}`, title: `Compare ${id} with other models` }, 'Compare'),
    ' ', el('details', { class: 'eval' }, el('summary', {}, 'Evaluate'),
      el('div', { class: 'eval-form' },
        state.tasks.map((t) => el('label', { class: 'check' },
          el('input', { type: 'checkbox', class: 'eval-task', value: t.name, checked: t.name === 'kjv-verse-choice' }), ` ${t.name}`)),
        el('label', {}, 'items per task ', el('input', { type: 'number', class: 'eval-limit', min: 1, max: 100000, value: 100 })),
        el('button', { type: 'button', class: 'eval-run', dataset: { id } }, 'Run here'),
        el('span', { class: 'eval-status', 'aria-live': 'polite' }, evalText(state.evals.get(id)))),
      el('p', { class: 'muted' }, 'or from a terminal, against this server: ', el('code', { class: 'cmd' }, cmd))));
}

// ---------- evaluations run by the server ----------
function evalText(job) {
  if (!job) return '';
  const results = (job.results ?? []).map((r) => `${r.task} ${r.metric} ${r.value === null ? '—' : r.value.toFixed(4)}${r.error ? ` (failed: ${r.error})` : ''}`).join(' · ');
  if (job.state === 'queued') return 'waiting for the evaluation before it';
  if (job.state === 'running') return `${job.progress ? `${job.progress.step} ${job.progress.done}/${job.progress.total}` : 'starting'}${results ? ` · ${results}` : ''}`;
  if (job.state === 'done') return `done · ${results} · see the leaderboard`;
  return `${job.state}: ${job.error ?? ''}${results ? ` · ${results}` : ''}`;
}

function showEval(id) {
  const box = document.querySelector(`.local-model[data-id="${CSS.escape(id)}"] .eval-status`);
  if (box) box.textContent = evalText(state.evals.get(id));
}

async function runEval(button) {
  const id = button.dataset.id;
  const form = button.closest('.eval-form');
  const tasks = [...form.querySelectorAll('.eval-task:checked')].map((b) => b.value);
  const limit = Math.max(1, Math.round(Number(form.querySelector('.eval-limit').value) || 100));
  let job;
  try {
    job = await api('POST', '/api/evals', { model: id, tasks, limit });
  } catch (e) {
    state.evals.set(id, { state: 'failed', error: e.message });
    showEval(id);
    return;
  }
  button.disabled = true;
  while (job.state === 'queued' || job.state === 'running') {
    state.evals.set(id, job);
    showEval(id);
    await new Promise((r) => setTimeout(r, 500));
    try { job = await api('GET', `/api/evals/${encodeURIComponent(job.id)}`); } catch (e) { job = { ...job, state: 'failed', error: e.message }; }
  }
  state.evals.set(id, job);
  showEval(id);
  const b = document.querySelector(`.local-model[data-id="${CSS.escape(id)}"] .eval-run`);
  if (b) b.disabled = false;
}

function renderLocal() {
  $('local-empty').hidden = state.local.length > 0;
  $('local').replaceChildren(...state.local.map((m) => localActions(m.id)));
}

// ---------- pulls ----------
async function pull(spec) {
  let job;
  try {
    job = await api('POST', '/api/pulls', { spec });
  } catch (e) {
    renderPull({ id: `error-${Date.now()}`, spec, status: 'failed', error: e.message });
    return;
  }
  renderPull(job);
  while (job.status === 'running') {
    await new Promise((r) => setTimeout(r, 400));
    try { job = await api('GET', `/api/pulls/${encodeURIComponent(job.id)}`); } catch (e) { job = { ...job, status: 'failed', error: e.message }; }
    renderPull(job);
  }
  if (job.status === 'done') await refresh();
  renderPull(job);
}

function renderPull(job) {
  state.pulls.set(job.id, job);
  const line = el('div', { class: 'pull', dataset: { id: job.id, status: job.status } },
    el('span', { class: 'spec' }, job.spec),
    job.status === 'running' ? el('progress', { max: job.total ?? 1, value: job.total ? job.bytes ?? 0 : undefined }) : null,
    el('span', { class: 'state' }, pullText(job)),
    job.status === 'running' ? el('button', { type: 'button', class: 'cancel', dataset: { id: job.id } }, 'Cancel') : null,
    job.status === 'done' && job.model ? el('a', { class: 'chat', href: `/?model=${encodeURIComponent(job.model)}` }, 'Chat with it') : null);
  for (const box of [$('pulls'), $('detail-pulls')]) {
    if (!box) continue;
    const old = box.querySelector(`.pull[data-id="${CSS.escape(job.id)}"]`);
    if (old) old.replaceWith(line.cloneNode(true)); else box.append(line.cloneNode(true));
  }
}

function pullText(j) {
  if (j.status === 'failed' || j.status === 'cancelled') return `${j.status}: ${j.error ?? ''}`;
  if (j.status === 'done') return `${j.already_present ? 'already here' : 'pulled'} · ${bytes(j.total)}${j.model ? ` · model ${j.model}` : ''}`;
  const pct = j.total ? ` ${(100 * (j.bytes ?? 0) / j.total).toFixed(1)}%` : '';
  const speed = j.bytes_per_second ? ` · ${(j.bytes_per_second / 1e6).toFixed(1)} MB/s` : '';
  const eta = j.eta_s !== undefined ? ` · ${Math.round(j.eta_s)} s left` : '';
  return `pulling${pct} · ${bytes(j.bytes ?? 0)}${j.total ? ` of ${bytes(j.total)}` : ''}${speed}${eta}`;
}

// ---------- wiring ----------
let timer;
$('filters').addEventListener('input', (ev) => {
  if (ev.target.id === 'pull-spec') return;
  clearTimeout(timer);
  timer = setTimeout(refresh, ev.target.id === 'f-search' ? 250 : 0);
});
$('filters').addEventListener('reset', () => setTimeout(refresh, 0));
$('filters').addEventListener('submit', (ev) => ev.preventDefault());
$('pull-spec-go').addEventListener('click', () => { const s = $('pull-spec').value.trim(); if (s) pull(s); });
$('pull-spec').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); $('pull-spec-go').click(); } });
$('detail-close').addEventListener('click', () => { $('detail').hidden = true; });
document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') $('detail').hidden = true; });
document.addEventListener('click', (ev) => {
  const t = ev.target.closest('button');
  if (!t) return;
  if (t.classList.contains('details') || t.classList.contains('node')) showDetail(t.dataset.id);
  else if (t.classList.contains('pull-button')) pull(t.dataset.spec);
  else if (t.classList.contains('cancel')) api('DELETE', `/api/pulls/${encodeURIComponent(t.dataset.id)}`).catch(() => {});
  else if (t.classList.contains('eval-run')) runEval(t);
});

try { state.tasks = await api('GET', '/api/evals/tasks'); } catch { state.tasks = []; }
await refresh();
const wanted = new URLSearchParams(location.search).get('id');
if (wanted) await showDetail(wanted);
