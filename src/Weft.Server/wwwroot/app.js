// The chat page: models from /v1/models, answers streamed from /v1/chat/completions, conversations and assistants kept
// by the server under /api. No framework: the state lives in `state`, the DOM is rebuilt from it where it changes.
import { renderMarkdown } from './markdown.js';
import { readEvents } from './sse.js';
import { comparePickers, compareAnswers } from './compare-mode.js';

const $ = id => document.getElementById(id);
const el = {
  sidebar: $('sidebar'), scrim: $('scrim'), menu: $('menu'),
  newChat: $('new-chat'), search: $('search'), conversationList: $('conversation-list'), conversationEmpty: $('conversation-empty'),
  assistantList: $('assistant-list'), newAssistant: $('new-assistant'), keyButton: $('key-button'),
  model: $('model'), modelInfo: $('model-info'), compareModels: $('compare-models'), compareAdd: $('compare-add'), settingsToggle: $('settings-toggle'), settings: $('settings'),
  assistantBadge: $('assistant-badge'), systemPrompt: $('system-prompt'),
  temperature: $('temperature'), topP: $('top-p'), maxTokens: $('max-tokens'),
  messages: $('messages'), welcome: $('welcome'), error: $('error'),
  composer: $('composer'), prompt: $('prompt'), send: $('send'), stop: $('stop'),
  asstDialog: $('assistant-dialog'), asstForm: $('assistant-form'), asstTitle: $('assistant-dialog-title'),
  asstName: $('asst-name'), asstModel: $('asst-model'), asstSystem: $('asst-system'),
  asstTemperature: $('asst-temperature'), asstTopP: $('asst-top-p'), asstMaxTokens: $('asst-max-tokens'),
  asstDelete: $('asst-delete'), asstCancel: $('asst-cancel'),
  keyDialog: $('key-dialog'), keyForm: $('key-form'), keyInput: $('key-input'), keyCancel: $('key-cancel'),
};

const DEFAULTS = { temperature: 0.7, top_p: 0.95, max_tokens: 512 };
const state = {
  models: [],
  conversations: [],
  assistants: [],
  current: null,        // the open conversation (as the server sent it), or null for a new chat
  messages: [],         // {role, content, tokens_per_second}
  assistantId: null,    // the assistant a new chat starts from
  controller: null,     // aborts the answer being streamed
  editingAssistant: null,
  comparison: null,     // answers side by side waiting for the user to pick one
};
const compare = comparePickers(el.compareModels, el.compareAdd, () => state.models.filter(m => !m.meta?.error), () => {});

// ---------- server calls ----------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function headers(json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  const key = localStorage.getItem('weft.apiKey');
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function failure(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error?.message) message = body.error.message;
  } catch { /* not JSON */ }
  if (res.status === 401) askForKey();
  return new ApiError(res.status, message);
}

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await failure(res);
  return res.json();
}

function showError(e) {
  if (!e) { el.error.hidden = true; el.error.textContent = ''; return; }
  el.error.textContent = e.message ?? String(e);
  el.error.hidden = false;
}

// ---------- models ----------

function formatCount(n) {
  if (!n) return '';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** Architecture, weight type and size: the picker's line for a model. */
function describeModel(m) {
  const meta = m.meta ?? {};
  if (meta.error) return 'cannot be loaded';
  if (meta.remote) return `remote · ${(meta.endpoints ?? []).filter(e => e.up).length} of ${(meta.endpoints ?? []).length} up`;
  return [meta.architecture, meta.type, meta.parameters ? `${formatCount(meta.parameters)} params` : null].filter(Boolean).join(' · ');
}

/** What the picker's line leaves out: context, file size, whether it is in memory. */
function modelDetails(m) {
  const meta = m.meta ?? {};
  if (meta.error) return meta.error;
  if (meta.remote) return [(meta.endpoints ?? []).map(e => e.name).join(', '),
    meta.price ? `$${meta.price.input} in / $${meta.price.output} out per million tokens` : null].filter(Boolean).join(' · ');
  return [meta.name, meta.context_length ? `context ${meta.context_length}` : null,
    meta.bytes ? `${formatCount(meta.bytes)}B on disk` : null, meta.loaded ? 'loaded' : null].filter(Boolean).join(' · ');
}

function fillModelSelect(select, chosen, allowNone) {
  select.replaceChildren();
  if (allowNone) select.append(new Option('(the chat\'s model)', ''));
  for (const m of state.models) {
    const option = new Option(`${m.id} — ${describeModel(m)}`, m.id);
    option.disabled = Boolean(m.meta?.error);
    select.append(option);
  }
  if (chosen !== undefined && [...select.options].some(o => o.value === chosen && !o.disabled)) select.value = chosen;
}

async function loadModels() {
  try {
    const list = await api('GET', '/v1/models');
    state.models = list.data ?? [];
  } catch (e) {
    state.models = [];
    showError(e);
  }
  const usable = state.models.filter(m => !m.meta?.error);
  // a link from the catalog (/?model=ID) picks that model; else the one last used
  const asked = new URLSearchParams(location.search).get('model');
  const remembered = usable.some(m => m.id === asked) ? asked : localStorage.getItem('weft.model');
  fillModelSelect(el.model, usable.some(m => m.id === remembered) ? remembered : usable[0]?.id);
  if (usable.length === 0) el.modelInfo.textContent = 'no models in the models folder';
  updateModelInfo();
}

function updateModelInfo() {
  const m = state.models.find(x => x.id === el.model.value);
  if (m) el.modelInfo.textContent = modelDetails(m);
}

// ---------- conversations ----------

async function loadConversations() {
  const q = el.search.value.trim();
  try {
    const list = await api('GET', '/api/conversations' + (q ? `?q=${encodeURIComponent(q)}` : ''));
    state.conversations = list.data;
  } catch (e) { showError(e); return; }
  renderConversationList();
}

function renderConversationList() {
  el.conversationList.replaceChildren(...state.conversations.map(conversationItem));
  el.conversationEmpty.hidden = state.conversations.length > 0;
  el.conversationEmpty.textContent = el.search.value.trim() ? 'No conversation matches.' : 'No conversations yet.';
}

function conversationItem(c) {
  const li = document.createElement('li');
  li.dataset.id = c.id;
  if (state.current?.id === c.id) li.classList.add('current');
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'open';
  open.textContent = c.title;
  open.title = c.title;
  if (state.current?.id === c.id) open.setAttribute('aria-current', 'page');
  open.addEventListener('click', () => openConversation(c.id));
  const actions = document.createElement('span');
  actions.className = 'actions';
  const rename = smallButton('Rename', `Rename “${c.title}”`, () => startRename(li, c));
  const remove = smallButton('Delete', `Delete “${c.title}”`, () => deleteConversation(c));
  actions.append(rename, remove);
  li.append(open, actions);
  return li;
}

function smallButton(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function startRename(li, c) {
  const input = document.createElement('input');
  input.className = 'rename';
  input.value = c.title;
  input.maxLength = 200;
  input.setAttribute('aria-label', 'New title');
  let done = false;
  const finish = async save => {
    if (done) return;
    done = true;
    const title = input.value.trim();
    if (save && title && title !== c.title) {
      try {
        const updated = await api('PATCH', `/api/conversations/${encodeURIComponent(c.id)}`, { title });
        if (state.current?.id === c.id) state.current = updated;
      } catch (e) { showError(e); }
    }
    await loadConversations();
  };
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter') { e.preventDefault(); finish(true); }
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); finish(false); }
  });
  input.addEventListener('blur', () => finish(true));
  li.replaceChildren(input);
  input.focus();
  input.select();
}

async function deleteConversation(c) {
  if (!confirm(`Delete “${c.title}”?`)) return;
  try {
    await api('DELETE', `/api/conversations/${encodeURIComponent(c.id)}`);
  } catch (e) { showError(e); return; }
  if (state.current?.id === c.id) newChat();
  await loadConversations();
}

async function openConversation(id) {
  if (state.controller) return; // finish or stop the answer first
  let c;
  try { c = await api('GET', `/api/conversations/${encodeURIComponent(id)}`); } catch (e) { showError(e); return; }
  showError(null);
  state.comparison = null;
  state.current = c;
  state.assistantId = c.assistant_id;
  state.messages = c.messages.filter(m => m.role !== 'system');
  if (c.model) fillModelSelect(el.model, c.model);
  updateModelInfo();
  el.systemPrompt.value = c.system_prompt;
  applySampling(state.assistants.find(a => a.id === c.assistant_id));
  showAssistantBadge();
  renderMessages();
  renderConversationList();
  history.replaceState(null, '', `#${encodeURIComponent(id)}`);
  closeSidebar();
  el.prompt.focus();
}

function newChat(assistant) {
  if (state.controller) stopAnswer();
  state.current = null;
  state.comparison = null;
  state.messages = [];
  state.assistantId = assistant?.id ?? null;
  el.systemPrompt.value = assistant?.system_prompt ?? '';
  if (assistant?.model) fillModelSelect(el.model, assistant.model);
  updateModelInfo();
  applySampling(assistant);
  showAssistantBadge();
  if (assistant?.system_prompt) toggleSettings(true);
  showError(null);
  renderMessages();
  renderConversationList();
  history.replaceState(null, '', location.pathname);
  closeSidebar();
  el.prompt.focus();
}

function applySampling(assistant) {
  el.temperature.value = assistant?.temperature ?? DEFAULTS.temperature;
  el.topP.value = assistant?.top_p ?? DEFAULTS.top_p;
  el.maxTokens.value = assistant?.max_tokens ?? DEFAULTS.max_tokens;
}

function showAssistantBadge() {
  const a = state.assistants.find(x => x.id === state.assistantId);
  el.assistantBadge.hidden = !a;
  el.assistantBadge.textContent = a ? `Assistant: ${a.name}` : '';
}

// ---------- messages ----------

function renderMessages() {
  el.messages.replaceChildren();
  if (state.messages.length === 0) { el.messages.append(el.welcome); return; }
  for (const m of state.messages) el.messages.append(messageView(m));
  el.messages.scrollTop = el.messages.scrollHeight;
}

function messageView(m) {
  const article = document.createElement('article');
  article.className = `msg ${m.role}`;
  article.dataset.role = m.role;
  article.dataset.state = m.state ?? 'done';
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = m.role === 'user' ? 'You' : state.assistants.find(a => a.id === state.assistantId)?.name ?? 'Assistant';
  const body = document.createElement('div');
  body.className = 'body';
  if (m.role === 'assistant') body.innerHTML = renderMarkdown(m.content); else body.textContent = m.content;
  article.append(who, body);
  if (m.role === 'assistant') {
    const meta = document.createElement('div');
    meta.className = 'meta';
    article.append(meta);
    setMeta(meta, m);
  }
  return article;
}

function setMeta(meta, m) {
  meta.replaceChildren();
  if (typeof m.tokens_per_second === 'number') {
    const speed = document.createElement('span');
    speed.className = 'speed';
    speed.textContent = `${m.tokens_per_second.toFixed(1)} tokens/s`;
    meta.append(speed);
  }
  if (m.stopped) {
    const stopped = document.createElement('span');
    stopped.className = 'stopped';
    stopped.textContent = (meta.childNodes.length ? ' · ' : '') + 'stopped';
    meta.append(stopped);
  }
}

function autoGrow() {
  el.prompt.style.height = 'auto';
  el.prompt.style.height = `${Math.min(el.prompt.scrollHeight + 2, window.innerHeight * 0.4)}px`;
}

function setBusy(busy) {
  el.send.hidden = busy;
  el.stop.hidden = !busy;
  el.model.disabled = busy;
  compare.setDisabled(busy);
  document.body.dataset.busy = busy ? 'true' : 'false';
}

async function send() {
  const text = el.prompt.value.trim();
  if (!text || state.controller) return;
  if (state.comparison) { showError(new Error('pick the answer to continue with ("Continue with this one") first')); return; }
  const model = el.model.value;
  if (!model) { showError(new Error('pick a model first')); return; }
  showError(null);
  localStorage.setItem('weft.model', model);
  el.prompt.value = '';
  autoGrow();

  const sampling = {
    temperature: numberOr(el.temperature.value, DEFAULTS.temperature),
    top_p: numberOr(el.topP.value, DEFAULTS.top_p),
    max_tokens: Math.round(numberOr(el.maxTokens.value, DEFAULTS.max_tokens)),
  };
  const user = { role: 'user', content: text };
  const answer = { role: 'assistant', content: '', state: 'streaming' };
  state.controller = new AbortController();
  setBusy(true);
  try {
    if (!state.current) {
      state.current = await api('POST', '/api/conversations', {
        title: text.length > 60 ? `${text.slice(0, 57)}…` : text,
        model, system_prompt: el.systemPrompt.value, assistant_id: state.assistantId,
      });
      history.replaceState(null, '', `#${encodeURIComponent(state.current.id)}`);
    } else if (state.current.model !== model || state.current.system_prompt !== el.systemPrompt.value) {
      state.current = await api('PATCH', `/api/conversations/${encodeURIComponent(state.current.id)}`, { model, system_prompt: el.systemPrompt.value });
    }
    const conversationId = state.current.id;
    await api('POST', `/api/conversations/${encodeURIComponent(conversationId)}/messages`, user);
    const past = [...state.messages, user];
    const prompt = [];
    if (el.systemPrompt.value.trim()) prompt.push({ role: 'system', content: el.systemPrompt.value });
    prompt.push(...past.map(m => ({ role: m.role, content: m.content })));
    const others = compare.models();
    if (others.length > 0) {
      state.messages.push(user);
      renderMessages();
      loadConversations();
      await sendCompared([model, ...others], prompt, sampling);
      return;
    }
    state.messages.push(user, answer);
    renderMessages();
    loadConversations();

    const view = el.messages.lastElementChild;
    try {
      await streamAnswer({ model, messages: prompt, stream: true, ...sampling }, answer, view, state.controller.signal);
    } catch (e) {
      if (e.name === 'AbortError') answer.stopped = true;
      else { answer.failed = true; showError(e); }
    }
    answer.state = answer.stopped ? 'stopped' : answer.failed ? 'error' : 'done';
    view.dataset.state = answer.state;
    view.querySelector('.body').innerHTML = renderMarkdown(answer.content);
    setMeta(view.querySelector('.meta'), answer);
    if (answer.content || answer.stopped) {
      const saved = { role: 'assistant', content: answer.content };
      if (typeof answer.tokens_per_second === 'number') saved.tokens_per_second = answer.tokens_per_second;
      await api('POST', `/api/conversations/${encodeURIComponent(conversationId)}/messages`, saved);
    }
    await loadConversations();
  } catch (e) {
    showError(e);
    if (!state.messages.includes(user)) el.prompt.value = text; // nothing was sent: give the text back
  } finally {
    state.controller = null;
    setBusy(false);
    el.prompt.focus();
  }
}

/** Compare mode: every model answers in a column; the one the user continues with becomes the conversation's answer and model. */
async function sendCompared(models, prompt, sampling) {
  const conversation = state.current;
  const c = compareAnswers(models, prompt, sampling, state.controller.signal);
  state.comparison = c;
  el.messages.append(c.view);
  el.messages.scrollTop = el.messages.scrollHeight;
  c.chosen.then(choice => keepCompared(c, conversation, choice));
  await c.done;
}

async function keepCompared(c, conversation, { model, answer }) {
  if (state.comparison !== c || state.current?.id !== conversation.id) return; // the user moved on
  try {
    const id = encodeURIComponent(conversation.id);
    if (conversation.model !== model) state.current = await api('PATCH', `/api/conversations/${id}`, { model });
    const saved = { role: 'assistant', content: answer.content };
    if (typeof answer.tokens_per_second === 'number') saved.tokens_per_second = answer.tokens_per_second;
    await api('POST', `/api/conversations/${id}/messages`, saved);
    state.comparison = null;
    state.messages.push({ ...saved, state: answer.stopped ? 'stopped' : 'done', stopped: answer.stopped });
    fillModelSelect(el.model, model);
    localStorage.setItem('weft.model', model);
    updateModelInfo();
    compare.clear();
    renderMessages();
    await loadConversations();
    el.prompt.focus();
  } catch (e) { showError(e); }
}

function numberOr(text, fallback) {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : fallback;
}

/** Streams an answer from /v1/chat/completions into `answer` and its view (events read by sse.js). */
async function streamAnswer(request, answer, view, signal) {
  const res = await fetch('/v1/chat/completions', { method: 'POST', headers: headers(true), body: JSON.stringify(request), signal });
  if (!res.ok) throw await failure(res);
  const body = view.querySelector('.body');
  let pending = false;
  const paint = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const stick = el.messages.scrollHeight - el.messages.scrollTop - el.messages.clientHeight < 80;
      body.innerHTML = renderMarkdown(answer.content);
      if (stick) el.messages.scrollTop = el.messages.scrollHeight;
    });
  };
  await readEvents(res, chunk => {
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) { answer.content += choice.delta.content; paint(); }
    if (chunk.timings?.predicted_per_second !== undefined) answer.tokens_per_second = chunk.timings.predicted_per_second;
  });
}

function stopAnswer() {
  state.controller?.abort();
}

// ---------- assistants ----------

async function loadAssistants() {
  try {
    state.assistants = (await api('GET', '/api/assistants')).data;
  } catch (e) { showError(e); return; }
  el.assistantList.replaceChildren(...state.assistants.map(a => {
    const li = document.createElement('li');
    li.dataset.id = a.id;
    const start = document.createElement('button');
    start.type = 'button';
    start.className = 'open';
    start.textContent = a.name;
    start.title = `Start a chat with ${a.name}`;
    start.addEventListener('click', () => newChat(a));
    const actions = document.createElement('span');
    actions.className = 'actions';
    actions.append(smallButton('Edit', `Edit assistant ${a.name}`, () => editAssistant(a)));
    li.append(start, actions);
    return li;
  }));
  showAssistantBadge();
}

function editAssistant(a) {
  state.editingAssistant = a ?? null;
  el.asstTitle.textContent = a ? `Edit ${a.name}` : 'New assistant';
  el.asstName.value = a?.name ?? '';
  fillModelSelect(el.asstModel, a?.model ?? '', true);
  el.asstSystem.value = a?.system_prompt ?? el.systemPrompt.value;
  el.asstTemperature.value = a?.temperature ?? el.temperature.value;
  el.asstTopP.value = a?.top_p ?? el.topP.value;
  el.asstMaxTokens.value = a?.max_tokens ?? el.maxTokens.value;
  el.asstDelete.hidden = !a;
  el.asstDialog.showModal();
  el.asstName.focus();
}

async function saveAssistant() {
  const optional = text => (text === '' ? null : Number(text));
  const body = {
    name: el.asstName.value.trim(),
    system_prompt: el.asstSystem.value,
    model: el.asstModel.value || null,
    temperature: optional(el.asstTemperature.value),
    top_p: optional(el.asstTopP.value),
    max_tokens: el.asstMaxTokens.value === '' ? null : Math.round(Number(el.asstMaxTokens.value)),
  };
  try {
    const a = state.editingAssistant;
    await (a ? api('PATCH', `/api/assistants/${encodeURIComponent(a.id)}`, body) : api('POST', '/api/assistants', body));
    el.asstDialog.close();
  } catch (e) {
    showError(e);
    el.asstDialog.close();
  }
  await loadAssistants();
}

async function deleteAssistant() {
  const a = state.editingAssistant;
  if (!a || !confirm(`Delete the assistant “${a.name}”? Its conversations stay.`)) return;
  try { await api('DELETE', `/api/assistants/${encodeURIComponent(a.id)}`); } catch (e) { showError(e); }
  el.asstDialog.close();
  if (state.assistantId === a.id) state.assistantId = null;
  await loadAssistants();
}

// ---------- layout ----------

function toggleSettings(show) {
  const open = show ?? el.settings.hidden;
  el.settings.hidden = !open;
  el.settingsToggle.setAttribute('aria-expanded', String(open));
}

function openSidebar() {
  el.sidebar.classList.add('open');
  el.scrim.hidden = false;
  el.menu.setAttribute('aria-expanded', 'true');
  el.search.focus();
}

function closeSidebar() {
  if (!el.sidebar.classList.contains('open')) return;
  el.sidebar.classList.remove('open');
  el.scrim.hidden = true;
  el.menu.setAttribute('aria-expanded', 'false');
}

function askForKey() {
  if (el.keyDialog.open) return;
  el.keyInput.value = localStorage.getItem('weft.apiKey') ?? '';
  el.keyDialog.showModal();
}

// ---------- wiring ----------

el.composer.addEventListener('submit', e => { e.preventDefault(); send(); });
el.prompt.addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
});
el.prompt.addEventListener('input', autoGrow);
el.stop.addEventListener('click', stopAnswer);
document.addEventListener('keydown', e => {
  if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  if (state.controller) { e.preventDefault(); stopAnswer(); } else closeSidebar();
});
el.newChat.addEventListener('click', () => newChat());
el.menu.addEventListener('click', () => (el.sidebar.classList.contains('open') ? closeSidebar() : openSidebar()));
el.scrim.addEventListener('click', closeSidebar);
el.settingsToggle.addEventListener('click', () => toggleSettings());
el.model.addEventListener('change', () => { localStorage.setItem('weft.model', el.model.value); updateModelInfo(); });
let searchTimer = 0;
el.search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(loadConversations, 200); });
el.systemPrompt.addEventListener('change', async () => {
  if (!state.current) return;
  try {
    state.current = await api('PATCH', `/api/conversations/${encodeURIComponent(state.current.id)}`, { system_prompt: el.systemPrompt.value });
  } catch (e) { showError(e); }
});
el.messages.addEventListener('click', async e => {
  const button = e.target.closest('.copy-code');
  if (!button) return;
  const code = button.closest('.code-block').querySelector('code').textContent;
  try { await navigator.clipboard.writeText(code); button.textContent = 'Copied'; } catch { button.textContent = 'Copy failed'; }
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
});
el.newAssistant.addEventListener('click', () => editAssistant(null));
el.asstForm.addEventListener('submit', e => { e.preventDefault(); saveAssistant(); });
el.asstCancel.addEventListener('click', () => el.asstDialog.close());
el.asstDelete.addEventListener('click', deleteAssistant);
el.keyButton.addEventListener('click', askForKey);
el.keyCancel.addEventListener('click', () => el.keyDialog.close());
el.keyForm.addEventListener('submit', async e => {
  e.preventDefault();
  const key = el.keyInput.value.trim();
  if (key) localStorage.setItem('weft.apiKey', key); else localStorage.removeItem('weft.apiKey');
  el.keyDialog.close();
  showError(null);
  await start();
});

async function start() {
  await Promise.all([loadModels(), loadAssistants(), loadConversations()]);
  const id = decodeURIComponent(location.hash.slice(1));
  if (id && !state.current) await openConversation(id);
  document.body.dataset.ready = 'true';
}

setBusy(false);
start();
