// Tokenizes with Hugging Face's tokenizers library (the Rust crate, through the @anush008/tokenizers bindings).
// usage: node hf_tokenize.js REQUEST.json RESPONSE.json
// request: { tokenizer: path of tokenizer.json, cleanup: bool, texts: [string] }
// response: { ids: [[int]], decoded: [string] } (encoded without added special tokens; decoded keeping them)
'use strict';
const fs = require('fs');
const { Tokenizer } = require(process.env.HF_TOKENIZERS_MODULE);

// transformers' clean_up_tokenization, applied after decoding when tokenizer_config.json asks for it
function cleanup(s) {
  const pairs = [[' .', '.'], [' ?', '?'], [' !', '!'], [' ,', ','], [" ' ", "'"], [" n't", "n't"], [" 'm", "'m"],
    [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"]];
  for (const [from, to] of pairs) s = s.split(from).join(to);
  return s;
}

(async () => {
  const req = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const tok = Tokenizer.fromFile(req.tokenizer);
  const out = { ids: [], decoded: [] };
  for (const text of req.texts) {
    const enc = await tok.encode(text, null, { addSpecialTokens: false });
    const ids = enc.getIds();
    out.ids.push(ids);
    const d = await tok.decode(ids, false);
    out.decoded.push(req.cleanup ? cleanup(d) : d);
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(out));
})().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
