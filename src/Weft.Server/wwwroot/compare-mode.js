// Compare mode of the chat page: up to three more models beside the chat's own; the next message goes to all of them,
// their answers stream side by side (tokens, time to first token, tokens/s), and "Continue with this one" keeps that
// answer — and its model — as the conversation's. No framework.
import { renderMarkdown } from './markdown.js';
import { streamChat, statsText } from './sse.js';

const MAX_EXTRA = 3;

/** The compare pickers in `box`, filled from `models()` (the usable /v1/models entries); `onChange` when they change. */
export function comparePickers(box, addButton, models, onChange) {
  const selects = () => [...box.querySelectorAll('select')];
  function add(chosen) {
    const list = models();
    if (selects().length >= MAX_EXTRA || list.length === 0) return;
    const wrap = document.createElement('span');
    wrap.className = 'compare-pick';
    const select = document.createElement('select');
    select.setAttribute('aria-label', `Compare with model ${selects().length + 1}`);
    for (const m of list) select.append(new Option(m.id, m.id));
    select.value = chosen ?? list[(selects().length + 1) % list.length].id;
    select.addEventListener('change', onChange);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'small';
    remove.textContent = '×';
    remove.setAttribute('aria-label', 'Stop comparing with this model');
    remove.addEventListener('click', () => { wrap.remove(); refresh(); onChange(); });
    wrap.append(select, remove);
    box.append(wrap);
    refresh();
    onChange();
  }
  function refresh() {
    addButton.disabled = selects().length >= MAX_EXTRA;
    document.body.dataset.comparing = selects().length > 0 ? 'true' : 'false';
  }
  addButton.addEventListener('click', () => add());
  refresh();
  return {
    models: () => selects().map(s => s.value).filter(Boolean),
    clear: () => { box.replaceChildren(); refresh(); },
    setDisabled: busy => selects().forEach(s => { s.disabled = busy; }),
  };
}

/** One answer column (empty, "waiting…"): heading `tag` naming the model, body, stats, a disabled keep button. */
export function column(i, model, tag = 'h3', label = model) {
  const col = document.createElement('section');
  col.className = 'column';
  col.dataset.state = 'streaming';
  col.setAttribute('aria-label', `Answer ${i + 1}: ${model}`);
  const h = document.createElement(tag);
  h.textContent = label;
  const body = document.createElement('div');
  body.className = 'body';
  const stats = document.createElement('p');
  stats.className = 'stats';
  stats.textContent = 'waiting…';
  const keep = document.createElement('button');
  keep.type = 'button';
  keep.className = 'small keep';
  keep.textContent = 'Continue with this one';
  keep.disabled = true;
  col.append(h, body, stats, keep);
  return col;
}

/** Streams one chat request into a column; resolves to {content, tokens_per_second} or {content, stopped}. */
export async function stream(col, request, signal) {
  const body = col.querySelector('.body');
  let text = '', pending = false;
  const paint = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; body.innerHTML = renderMarkdown(text); });
  };
  let answer;
  try {
    const s = await streamChat('/v1/chat/completions', { ...request, stream: true, stream_options: { include_usage: true } }, piece => { text += piece; paint(); }, signal);
    col.dataset.state = 'done';
    col.querySelector('.stats').textContent = statsText(s);
    answer = { content: text, tokens_per_second: s.tokensPerSecond };
  } catch (e) {
    col.dataset.state = e.name === 'AbortError' ? 'stopped' : 'error';
    col.querySelector('.stats').textContent = e.name === 'AbortError' ? 'stopped' : `failed: ${e.message}`;
    answer = { content: text, stopped: e.name === 'AbortError' };
  }
  body.innerHTML = renderMarkdown(text);
  return answer;
}

/**
 * Streams `messages` to every model into a comparison article (returned at once as `view`); `done` resolves when all
 * have ended, `chosen` when the user picks one: {model, answer}.
 */
export function compareAnswers(models, messages, sampling, signal) {
  const view = document.createElement('article');
  view.className = 'msg assistant comparison';
  view.dataset.role = 'comparison';
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = 'Compare: pick the answer to continue with';
  const grid = document.createElement('div');
  grid.className = 'columns';
  const cols = models.map((m, i) => column(i, m));
  grid.append(...cols);
  view.append(who, grid);
  let choose;
  const chosen = new Promise(resolve => { choose = resolve; });
  const done = Promise.all(cols.map(async (col, i) => {
    const answer = await stream(col, { model: models[i], messages, ...sampling }, signal);
    const keep = col.querySelector('.keep');
    keep.disabled = answer.content.length === 0;
    keep.addEventListener('click', () => {
      cols.forEach(c => { c.querySelector('.keep').disabled = true; c.dataset.kept = String(c === col); });
      choose({ model: models[i], answer });
    });
  }));
  return { view, done, chosen };
}
