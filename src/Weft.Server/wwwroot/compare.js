// The compare page: one prompt to 2–4 models (/v1/models), the answers streamed side by side from
// /v1/chat/completions, each with its token count, time to first token and tokens/s; "Continue with this one" saves
// the prompt and that answer as a conversation (/api/conversations) and opens it in the chat page.
import { api } from './sse.js';
import { column, stream } from './compare-mode.js';

const $ = id => document.getElementById(id);
const MIN = 2, MAX = 4;
const state = { models: [], controller: null, running: 0 };

function showError(e) {
  $('error').hidden = !e;
  $('error').textContent = e ? e.message : '';
}

function picker(index, chosen) {
  const label = document.createElement('label');
  label.textContent = `Column ${index + 1}`;
  const select = document.createElement('select');
  select.className = 'model-pick';
  select.setAttribute('aria-label', `Model of column ${index + 1}`);
  for (const m of state.models) select.append(new Option(m.id, m.id));
  if (chosen && state.models.some(m => m.id === chosen)) select.value = chosen;
  else if (state.models.length) select.value = state.models[index % state.models.length].id;
  label.append(select);
  return label;
}

function pickers() { return [...document.querySelectorAll('.model-pick')]; }

function setColumns(n, chosen = []) {
  const box = $('pickers');
  const current = pickers().map(s => s.value);
  box.querySelectorAll('label').forEach(l => l.remove());
  for (let i = 0; i < n; i++) box.append(picker(i, chosen[i] ?? current[i]));
  $('add-column').disabled = n >= MAX;
  $('remove-column').disabled = n <= MIN;
}

async function loadModels() {
  try {
    const list = await api('GET', '/v1/models');
    state.models = (list.data ?? []).filter(m => !m.meta?.error);
  } catch (e) { showError(e); }
  const asked = (new URLSearchParams(location.search).get('models') ?? '').split(',').filter(Boolean);
  setColumns(Math.min(MAX, Math.max(MIN, asked.length)), asked);
  if (state.models.length === 0) showError(new Error('no models on this server'));
}

// columns of one model beyond its slots (--parallel) wait for a free one: say so rather than look slow
function showSlotNote(models) {
  const counts = {};
  for (const m of models) counts[m] = (counts[m] ?? 0) + 1;
  // null: not loaded yet, its slots chosen when it loads
  const slots = id => state.models.find(m => m.id === id)?.meta?.slots ?? null;
  const waiting = Object.entries(counts).filter(([id, n]) => slots(id) !== null && n > slots(id));
  $('slot-note').hidden = waiting.length === 0;
  $('slot-note').textContent = waiting.map(([id, n]) =>
    `${n} columns of ${id} share ${slots(id)} slot(s): the rest wait their turn (start the server with --parallel ${n}).`).join(' ');
}

function setBusy(busy) {
  $('send').disabled = busy;
  $('stop').hidden = !busy;
}

function columnView(i, model) {
  return column(i, model, 'h2', `${i + 1}. ${model}`);
}

async function runColumn(col, model, messages, sampling, signal) {
  const a = await stream(col, { model, messages, ...sampling }, signal);
  col.answer = { text: a.content, tokensPerSecond: typeof a.tokens_per_second === 'number' ? a.tokens_per_second : null };
  col.querySelector('.keep').disabled = a.content.length === 0;
}

async function send() {
  const prompt = $('prompt').value.trim();
  if (!prompt || state.controller) return;
  showError(null);
  const models = pickers().map(s => s.value).filter(Boolean);
  if (models.length < MIN) { showError(new Error('pick at least two models')); return; }
  const system = $('system-prompt').value;
  const messages = [];
  if (system.trim()) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: prompt });
  const sampling = {
    max_tokens: Math.max(1, Math.round(Number($('max-tokens').value) || 256)),
    temperature: Math.min(2, Math.max(0, Number($('temperature').value) || 0)),
  };
  state.controller = new AbortController();
  setBusy(true);
  showSlotNote(models);
  const cols = models.map((m, i) => columnView(i, m));
  $('columns').replaceChildren(...cols);
  cols.forEach((col, i) => col.querySelector('.keep').addEventListener('click', () => keep(models[i], system, prompt, col.answer)));
  try {
    await Promise.all(cols.map((col, i) => runColumn(col, models[i], messages, sampling, state.controller.signal)));
  } finally {
    state.controller = null;
    setBusy(false);
    document.body.dataset.answered = String(Number(document.body.dataset.answered ?? 0) + 1);
  }
}

async function keep(model, system, prompt, answer) {
  try {
    const c = await api('POST', '/api/conversations', {
      title: prompt.length > 60 ? `${prompt.slice(0, 57)}…` : prompt, model, system_prompt: system,
    });
    const id = encodeURIComponent(c.id);
    await api('POST', `/api/conversations/${id}/messages`, { role: 'user', content: prompt });
    const saved = { role: 'assistant', content: answer.text };
    if (typeof answer.tokensPerSecond === 'number') saved.tokens_per_second = answer.tokensPerSecond;
    await api('POST', `/api/conversations/${id}/messages`, saved);
    location.href = `/#${id}`;
  } catch (e) { showError(e); }
}

$('compare-form').addEventListener('submit', e => { e.preventDefault(); send(); });
$('prompt').addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
});
document.addEventListener('keydown', e => { if (e.key === 'Escape') state.controller?.abort(); });
$('stop').addEventListener('click', () => state.controller?.abort());
$('add-column').addEventListener('click', () => setColumns(Math.min(MAX, pickers().length + 1)));
$('remove-column').addEventListener('click', () => setColumns(Math.max(MIN, pickers().length - 1)));

await loadModels();
document.body.dataset.ready = 'true';
