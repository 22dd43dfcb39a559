// Server-sent events of a streamed chat answer (OpenAI's chunks: "data: {json}" blocks separated by blank lines,
// closed by "data: [DONE]"), shared by the chat, compare and arena pages. No framework.

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function headers(json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  const key = localStorage.getItem('weft.apiKey');
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

export async function failure(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error?.message) message = body.error.message;
  } catch { /* not JSON */ }
  return new ApiError(res.status, message);
}

export async function api(method, path, body) {
  const res = await fetch(path, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

/**
 * POSTs body to url and reads the streamed answer: onText(piece) for each piece of content. Returns what the stream
 * ended with: {tokens, ttftMs (first content after the request went out), tokensPerSecond, finish}.
 */
export async function streamChat(url, body, onText, signal) {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal });
  if (!res.ok) throw await failure(res);
  const out = { tokens: 0, ttftMs: null, tokensPerSecond: null, finish: null };
  await readEvents(res, chunk => {
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) {
      if (out.ttftMs === null) out.ttftMs = performance.now() - started;
      onText(choice.delta.content);
    }
    if (choice?.finish_reason) out.finish = choice.finish_reason;
    if (chunk.timings) {
      out.tokens = chunk.timings.predicted_n;
      out.tokensPerSecond = chunk.timings.predicted_per_second;
    }
    if (chunk.usage) out.tokens = chunk.usage.completion_tokens;
  });
  return out;
}

/** Calls onChunk with each event's JSON until "data: [DONE]" or the end of the body; an error event throws. */
export async function readEvents(res, onChunk) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = block.split(/\r?\n/).filter(l => l.startsWith('data:')).map(l => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) continue;
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new ApiError(chunk.error.code === 'context_length_exceeded' ? 400 : 500, chunk.error.message);
      onChunk(chunk);
    }
  }
}

/** "12 tokens · first token 85 ms · 31.2 tok/s · stop" */
export function statsText(s) {
  const parts = [`${s.tokens} tokens`];
  if (s.ttftMs !== null) parts.push(`first token ${Math.round(s.ttftMs)} ms`);
  if (typeof s.tokensPerSecond === 'number') parts.push(`${s.tokensPerSecond.toFixed(1)} tok/s`);
  if (s.finish) parts.push(s.finish);
  return parts.join(' · ');
}
