// A small Markdown renderer for model answers: every character of the source is HTML-escaped before any markup is added.
// Blocks: fenced code (an unclosed fence runs to the end, as while streaming), headings, rules, quotes, lists, pipe tables,
// paragraphs. Inline: code spans, bold, italic, strikethrough, links and bare URLs with http(s)/mailto schemes only.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c => ESCAPES[c]);
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** True for URLs a link may point at; everything else (javascript:, data:, relative paths) stays text. */
export function isSafeUrl(url) {
  return SAFE_URL.test(url);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Renders Markdown source to an HTML string that is safe to assign to innerHTML. */
export function renderMarkdown(source) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').replace(/\0/g, '').split('\n');
  return blocks(lines).join('');
}

function blocks(lines) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }

    let m = FENCE.exec(line);
    if (m) {
      const marker = m[1];
      const body = [];
      i++;
      while (i < lines.length && !isClosingFence(lines[i], marker)) body.push(lines[i++]);
      i++; // the closing fence, if any
      out.push(codeBlock(body.join('\n'), m[2]));
      continue;
    }
    if ((m = HEADING.exec(line))) {
      const level = m[1].length;
      out.push(`<h${level}>${inline(m[2])}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) { out.push('<hr>'); i++; continue; }
    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && lines[i].trim() !== '' && (m = QUOTE.exec(lines[i]) ?? [null, lines[i]])) {
        inner.push(m[1]);
        i++;
      }
      out.push(`<blockquote>${blocks(inner).join('')}</blockquote>`);
      continue;
    }
    if (ITEM.test(line)) {
      i = list(lines, i, out);
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      i = table(lines, i, out);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() !== '' && !startsBlock(lines, i)) para.push(lines[i++].trim());
    out.push(`<p>${para.map(inline).join('<br>')}</p>`);
  }
  return out;
}

function startsBlock(lines, i) {
  const line = lines[i];
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function isClosingFence(line, marker) {
  const t = line.trim();
  return t.length >= marker.length && t[0] === marker[0] && /^(`+|~+)$/.test(t);
}

function codeBlock(code, language) {
  const lang = /^[\w+#.-]{1,32}$/.test(language) ? language : '';
  const label = lang ? `<span class="code-lang">${escapeHtml(lang)}</span>` : '<span class="code-lang">code</span>';
  const cls = lang ? ` class="language-${escapeHtml(lang)}"` : '';
  return `<div class="code-block"><div class="code-head">${label}<button type="button" class="copy-code">Copy</button></div>` +
    `<pre><code${cls}>${escapeHtml(code)}</code></pre></div>`;
}

/** A list starting at line i; items hold their indented continuation lines, rendered as blocks (nested lists too). */
function list(lines, i, out) {
  const first = ITEM.exec(lines[i]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items = [];
  let current = null;
  while (i < lines.length) {
    const line = lines[i];
    const m = ITEM.exec(line);
    if (m && m[1].length <= indent + 1 && /\d/.test(m[2]) === ordered) {
      current = { lines: [m[3]], start: m[2] };
      items.push(current);
      i++;
      continue;
    }
    if (line.trim() === '') {
      // a blank line ends the list unless the next line continues it (indented, or another item)
      const next = lines[i + 1];
      if (next === undefined || !(/^\s{2,}\S/.test(next) || (ITEM.test(next) && ITEM.exec(next)[1].length <= indent + 1))) break;
      current.lines.push('');
      i++;
      continue;
    }
    if (/^\s+\S/.test(line) && line.search(/\S/) > indent) {
      current.lines.push(line.slice(Math.min(line.search(/\S/), indent + 2)));
      i++;
      continue;
    }
    if (m || startsBlock(lines, i)) break;
    current.lines.push(line.trim()); // a lazy continuation of the item's paragraph
    i++;
  }
  const tag = ordered ? 'ol' : 'ul';
  const start = ordered ? parseInt(items[0].start, 10) : 1;
  const attr = ordered && start !== 1 ? ` start="${start}"` : '';
  const html = items.map(item => {
    let inner = blocks(item.lines).join('');
    // an item's first paragraph shows without paragraph margins when only a nested list follows it
    const p = /^<p>([^]*?)<\/p>/.exec(inner);
    if (p && (inner.length === p[0].length || /^<(ul|ol)[ >]/.test(inner.slice(p[0].length)))) inner = p[1] + inner.slice(p[0].length);
    return `<li>${inner}</li>`;
  });
  out.push(`<${tag}${attr}>${html.join('')}</${tag}>`);
  return i;
}

function table(lines, i, out) {
  const cells = row => row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(c => c.trim());
  const head = cells(lines[i]);
  const aligns = cells(lines[i + 1]).map(c => c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : '');
  const style = k => aligns[k] ? ` class="align-${aligns[k]}"` : ''; // a class: the page's policy allows no inline styles
  i += 2;
  const body = [];
  while (i < lines.length && lines[i].includes('|') && lines[i].trim() !== '') body.push(cells(lines[i++]));
  const th = head.map((c, k) => `<th${style(k)}>${inline(c)}</th>`).join('');
  const rows = body.map(r => `<tr>${head.map((_, k) => `<td${style(k)}>${inline(r[k] ?? '')}</td>`).join('')}</tr>`).join('');
  out.push(`<div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table></div>`);
  return i;
}

/** Inline markup of one line: finished pieces (code, links) wait in placeholders while the rest is escaped. */
export function inline(text) {
  const held = [];
  const hold = html => `\u0000${held.push(html) - 1}\u0000`;
  const link = (url, label) => hold(`<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer nofollow">${label}</a>`);
  let s = String(text).replace(/\0/g, '');
  s = s.replace(/(`+)([^`]|[^`][^]*?[^`])\1(?!`)/g, (_, __, code) => hold(`<code>${escapeHtml(code.replace(/^ ([^]*[^ ][^]*) $/, '$1'))}</code>`));
  s = s.replace(/\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g, (whole, label, url) =>
    isSafeUrl(url) ? link(url, emphasis(escapeHtml(label))) : whole);
  s = s.replace(/\bhttps?:\/\/[^\s<>"'`\u0000]*[^\s<>"'`\u0000.,:;!?)\]]/g, url => link(url, escapeHtml(url)));
  s = emphasis(escapeHtml(s));
  // placeholders may hold placeholders (code inside a link label)
  for (let k = 0; k < 3 && s.includes('\u0000'); k++) s = s.replace(/\u0000(\d+)\u0000/g, (_, n) => held[Number(n)]);
  return s;
}

function emphasis(s) {
  return s
    .replace(/\*\*\*(?=\S)([^]*?\S)\*\*\*/g, '<strong><em>$1</em></strong>')
    .replace(/\*\*(?=\S)([^]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([^]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/\*([^\s*](?:[^*]*[^\s*])?)\*/g, '<em>$1</em>')
    .replace(/(^|[^\w])_([^\s_](?:[^_]*[^\s_])?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~(?=\S)([^]*?\S)~~/g, '<del>$1</del>');
}
