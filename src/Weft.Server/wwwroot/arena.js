// The arena page: a battle opened at /api/arena/battles, both hidden answers streamed side by side from
// /api/arena/battles/{id}/answers/{a|b}, a vote once both have finished, then the names revealed and the ratings
// (/api/arena/leaderboard) reloaded.
import { renderMarkdown } from './markdown.js';
import { api, streamChat, statsText } from './sse.js';

const $ = id => document.getElementById(id);
const state = { battle: null, busy: false };

function showError(e) {
  $('error').hidden = !e;
  $('error').textContent = e ? e.message : '';
}

async function loadPool() {
  let models = [];
  try { models = ((await api('GET', '/v1/models')).data ?? []).filter(m => !m.meta?.error); } catch (e) { showError(e); }
  const box = $('pool');
  box.querySelectorAll('label').forEach(l => l.remove());
  for (const m of models) {
    const label = document.createElement('label');
    label.className = 'check';
    const box1 = document.createElement('input');
    box1.type = 'checkbox';
    box1.checked = true;
    box1.value = m.id;
    box1.className = 'pool-pick';
    label.append(box1, ` ${m.id}`);
    box.append(label);
  }
  if (models.length < 2) showError(new Error('the arena needs at least two models on this server'));
}

function column(side) {
  const col = document.createElement('section');
  col.className = 'column';
  col.dataset.side = side;
  col.dataset.state = 'streaming';
  col.setAttribute('aria-label', `Answer of model ${side.toUpperCase()}`);
  const h = document.createElement('h2');
  h.textContent = `Model ${side.toUpperCase()}`;
  const body = document.createElement('div');
  body.className = 'body';
  const stats = document.createElement('p');
  stats.className = 'stats';
  stats.textContent = 'waiting…';
  col.append(h, body, stats);
  return col;
}

async function stream(id, col) {
  const side = col.dataset.side;
  const body = col.querySelector('.body');
  let text = '';
  try {
    const s = await streamChat(`/api/arena/battles/${encodeURIComponent(id)}/answers/${side}`, {}, piece => {
      text += piece;
      body.innerHTML = renderMarkdown(text);
    });
    col.dataset.state = 'done';
    col.querySelector('.stats').textContent = statsText(s);
    return true;
  } catch (e) {
    col.dataset.state = 'error';
    col.querySelector('.stats').textContent = `failed: ${e.message}`;
    return false;
  }
}

function votes(enabled) {
  $('votes').hidden = false;
  $('votes').querySelectorAll('button').forEach(b => { b.disabled = !enabled; });
}

async function start() {
  const prompt = $('prompt').value.trim();
  if (!prompt || state.busy) return;
  showError(null);
  const models = [...document.querySelectorAll('.pool-pick')].filter(b => b.checked).map(b => b.value);
  state.busy = true;
  $('send').disabled = true;
  $('reveal').hidden = true;
  votes(false);
  try {
    const battle = await api('POST', '/api/arena/battles', {
      models, prompt,
      max_tokens: Math.max(1, Math.round(Number($('max-tokens').value) || 256)),
      temperature: Math.min(2, Math.max(0, Number($('temperature').value) || 0)),
    });
    state.battle = battle.id;
    const cols = ['a', 'b'].map(column);
    $('columns').replaceChildren(...cols);
    const ok = await Promise.all(cols.map(c => stream(battle.id, c)));
    votes(ok.every(Boolean));
    if (ok.every(Boolean)) $('votes').querySelector('button').focus();
  } catch (e) {
    showError(e);
  } finally {
    state.busy = false;
    $('send').disabled = false;
  }
}

async function vote(winner) {
  if (!state.battle) return;
  try {
    const r = await api('POST', `/api/arena/battles/${encodeURIComponent(state.battle)}/vote`, { winner });
    state.battle = null;
    votes(false);
    const words = { a: 'A was better', b: 'B was better', tie: 'a tie', both_bad: 'both were bad' };
    document.querySelector('.column[data-side="a"] h2').textContent = `Model A: ${r.model_a}`;
    document.querySelector('.column[data-side="b"] h2').textContent = `Model B: ${r.model_b}`;
    $('reveal').textContent = `Your vote: ${words[r.winner]}. A was ${r.model_a}, B was ${r.model_b}.`;
    $('reveal').hidden = false;
    await loadRatings();
    $('prompt').focus();
  } catch (e) { showError(e); }
}

// the ranking holds once every model has MIN_BATTLES battles and no two 95 % intervals overlap (with a handful of
// votes the bootstrap intervals are too narrow to mean anything)
const MIN_BATTLES = 10;
function settledText(rows) {
  const few = rows.filter(r => r.battles < MIN_BATTLES).map(r => r.model);
  if (few.length) return `Not enough votes yet: ${few.join(', ')} ${few.length === 1 ? 'has' : 'have'} fewer than ${MIN_BATTLES} battles.`;
  const overlap = rows.some((r, i) => rows.some((q, j) => j > i && r.lower <= q.upper && q.lower <= r.upper));
  return overlap ? 'Not enough votes yet: some 95 % intervals overlap, so those places are not settled.'
    : 'Every interval is apart from the others.';
}

async function loadRatings() {
  let rows = [];
  try {
    rows = await api('GET', '/api/arena/leaderboard' + ($('style-control').checked ? '?style_control=true' : ''));
  } catch (e) { showError(e); return; }
  $('ratings').tBodies[0].replaceChildren(...rows.map((r, i) => {
    const tr = document.createElement('tr');
    const cells = [i + 1, r.model, r.rating.toFixed(0), `${r.lower.toFixed(0)} – ${r.upper.toFixed(0)}`, r.battles, r.wins, r.ties, r.losses];
    cells.forEach((v, k) => {
      const td = document.createElement('td');
      td.textContent = String(v);
      if (k !== 1) td.className = 'num';
      tr.append(td);
    });
    return tr;
  }));
  $('settled').textContent = rows.length === 0 ? 'No votes yet.' : settledText(rows);
  document.body.dataset.ratings = String(rows.reduce((n, r) => n + r.battles, 0));
}

$('arena-form').addEventListener('submit', e => { e.preventDefault(); start(); });
$('prompt').addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); start(); }
});
$('votes').addEventListener('click', e => {
  const b = e.target.closest('button[data-winner]');
  if (b && !b.disabled) vote(b.dataset.winner);
});
$('style-control').addEventListener('change', loadRatings);

await Promise.all([loadPool(), loadRatings()]);
document.body.dataset.ready = 'true';
