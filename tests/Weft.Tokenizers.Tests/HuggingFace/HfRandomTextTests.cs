// Random texts (scripts, emoji, digit and whitespace runs, special-token texts whole and cut short) through the
// Hugging Face library and through the adapter-built tokenizer, on every generated checkpoint. The library always
// splits out added tokens, so ours parses special texts too. Families whose tokenizer.json composes text (NFC)
// get NFC input, since llama.cpp (and this engine) do not normalise.
using System.Text;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Tokenizers.Tests.HuggingFace;

public class HfRandomTextTests
{
    private const int Texts = 150;

    // This engine follows llama.cpp, which departs from the library on rare inputs (contractions after unusual
    // letters, runs next to marks); the adapter itself is held exactly to the GGUF-built tokenizer below. A few
    // such texts per batch are tolerated here; a wrong pre-tokenizer or vocabulary breaks far more than this.
    private const double MaxDisagreement = 0.03;

    // Families where this engine's tokenizer (llama.cpp's semantics) and the library agree on random text. Left out,
    // for differences of the engine rather than of the adapter: bert-bge (llama.cpp's WordPiece does not NFD Hangul
    // syllables), phi-3 (llama.cpp's strip rules around special tokens), mpt and falcon (long space runs),
    // deepseek-coder (a few punctuation merges). Those are still checked against the GGUF-built tokenizer below.
    public static TheoryData<string> Families() =>
        new(HfCheckpoints.Families.Except(["bert-bge", "phi-3", "mpt", "falcon", "deepseek-coder"]));

    public static TheoryData<string> AllFamilies() => new(HfCheckpoints.Families);

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void RandomTextMatchesTheGgufTokenizer(string vocab)
    {
        var ckpt = HfCheckpoints.Full(vocab);
        var ours = HfTokenizerFiles.Load(ckpt.Folder, ckpt.ModelName);
        var gguf = Reference.Load(vocab);
        var specials = Enumerable.Range(0, gguf.VocabSize)
            .Where(id => (gguf.Attributes(id) & (TokenAttributes.Control | TokenAttributes.UserDefined)) != 0)
            .Select(gguf.TokenText).Take(40).ToList();
        int seed = Environment.TickCount ^ vocab.GetHashCode(StringComparison.Ordinal);
        var gen = new RandomText(seed, specials);
        var failures = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            string text = gen.Next();
            // special parsing and rendering on: some test GGUFs type special-looking added tokens user-defined
            // (always parsed, always printed) where the adapter, like today's converter, types them control
            const bool special = true;
            bool add = i % 2 == 0;
            var want = gguf.Encode(text, add, special);
            var got = ours.Encode(text, add, special);
            if (!got.SequenceEqual(want))
                failures.Add($"'{Reference.Show(text)}' (add {add}, special {special})\n  gguf {string.Join(' ', want)}\n  ours {string.Join(' ', got)}");
            else if (!ours.DecodeBytes(got, renderSpecial: special).AsSpan().SequenceEqual(gguf.DecodeBytes(want, renderSpecial: special)))
                failures.Add($"decoding of '{Reference.Show(text)}' differs");
        }
        Assert.True(failures.Count == 0, $"{vocab} (seed {seed}): {failures.Count} texts differ:\n" + string.Join("\n", failures.Take(8)));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void RandomTextMatchesHfLibrary(string vocab)
    {
        var ckpt = HfCheckpoints.Full(vocab);
        var tok = HfTokenizerFiles.Load(ckpt.Folder, ckpt.ModelName);
        var specials = Enumerable.Range(0, tok.VocabSize)
            .Where(id => (tok.Attributes(id) & (TokenAttributes.Control | TokenAttributes.UserDefined)) != 0)
            .Select(tok.TokenText).Take(40).ToList();
        int seed = Environment.TickCount ^ vocab.GetHashCode(StringComparison.Ordinal);
        var gen = new RandomText(seed, specials);
        // llama.cpp treats some texts as control tokens by their text alone ("</s>" in a Qwen vocabulary); the library
        // does not, so texts holding such a token that the checkpoint does not list as added are left out
        var byTextOnly = Enumerable.Range(0, tok.VocabSize)
            .Where(id => (tok.Attributes(id) & TokenAttributes.Control) != 0 && ckpt.GgufSpec.TokenTypes?[id] == (int)TokenType.Normal)
            .Select(tok.TokenText).ToList();
        var texts = Enumerable.Range(0, Texts).Select(_ => Valid(gen.Next(), ckpt.Nfc))
            .Where(t => !byTextOnly.Any(s => t.Contains(s, StringComparison.Ordinal))).ToList();
        Assert.True(texts.Count > Texts / 2, $"{vocab}: only {texts.Count} usable texts");

        var (ids, decoded) = HfLibrary.Tokenize(Path.Combine(ckpt.Folder, "tokenizer.json"), texts, ckpt.Cleanup);
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            var got = tok.Encode(texts[i], addSpecial: false, parseSpecial: true);
            if (!got.SequenceEqual(ids[i]))
                failures.Add($"ids of '{Reference.Show(texts[i])}'\n  hf   {string.Join(' ', ids[i])}\n  ours {string.Join(' ', got)}");
            // user-defined tokens of byte-level vocabularies: llama.cpp prints their text, the library byte-decodes it
            else if (ids[i].Any(id => tok.Kind == VocabularyKind.BytePair && (tok.Attributes(id) & TokenAttributes.UserDefined) != 0)) continue;
            else if (tok.Decode(ids[i], renderSpecial: true) is var text && text != decoded[i])
                failures.Add($"decoding of '{Reference.Show(texts[i])}'\n  hf   '{Reference.Show(decoded[i])}'\n  ours '{Reference.Show(text)}'");
        }
        Assert.True(failures.Count <= MaxDisagreement * texts.Count,
            $"{vocab} (seed {seed}): {failures.Count}/{texts.Count} texts differ:\n" + string.Join("\n", failures.Take(8)));
    }

    // Well-formed UTF-16 (lone surrogates cannot cross to the library intact). Where the family's tokenizer.json
    // composes (NFC), combining marks and conjoining jamo are dropped so that composition has nothing to do
    // (string.Normalize cannot be relied on under invariant globalization).
    private static string Valid(string t, bool nfc)
    {
        t = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(t));
        if (!nfc) return t;
        var sb = new StringBuilder();
        foreach (var r in t.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                or System.Globalization.UnicodeCategory.EnclosingMark || r.Value is >= 0x1100 and <= 0x11FF) continue;
            sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
