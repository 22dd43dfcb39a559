// Random texts and id sequences through this tokenizer and through llama.cpp (the refharness oracle).
using System.Text;

namespace Weft.Tokenizers.Tests;

public class OracleDifferentialTests
{
    // WEFT_TOKENIZER_FUZZ_TEXTS raises the count for a longer sweep
    private static readonly int BatchTexts =
        int.TryParse(Environment.GetEnvironmentVariable("WEFT_TOKENIZER_FUZZ_TEXTS"), out int n) && n > 0 ? n : 2000;
    // WEFT_TOKENIZER_FUZZ_CALLS multiplies the number of single oracle calls (special parsing, BOS, decoding)
    private static readonly int CallFactor =
        int.TryParse(Environment.GetEnvironmentVariable("WEFT_TOKENIZER_FUZZ_CALLS"), out int f) && f > 0 ? f : 1;

    public static TheoryData<string> Vocabs() => new([.. Reference.VocabsWithVectors, "gpt-neox", "aquila", "baichuan"]);

    private static List<string> SpecialTexts(Tokenizer tok)
    {
        var texts = new List<string>();
        for (int id = 0; id < tok.VocabSize; id++)
            if ((tok.Attributes(id) & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0)
                texts.Add(tok.TokenText(id));
        // keep the list short but always include the texts of BOS and EOS
        var rng = new Random(texts.Count);
        var picked = texts.OrderBy(_ => rng.Next()).Take(40).ToList();
        foreach (int id in (ReadOnlySpan<int>)[tok.Bos, tok.Eos])
            if (id >= 0) picked.Add(tok.TokenText(id));
        return picked;
    }

    // a fresh run seed each time (WEFT_TOKENIZER_FUZZ_SEED repeats one); failures print it
    private static readonly int RunSeed =
        int.TryParse(Environment.GetEnvironmentVariable("WEFT_TOKENIZER_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();

    private static int Seed(string vocab, int salt) => vocab.Aggregate(salt ^ RunSeed, (h, c) => h * 31 + c);

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void PlainTextMatches(string vocab)
    {
        var tok = Reference.Load(vocab);
        var gen = new RandomText(Seed(vocab, 1), SpecialTexts(tok));
        var texts = Enumerable.Range(0, BatchTexts).Select(_ => gen.Next()).ToList();
        var ours = texts.Select(t => tok.Encode(t, addSpecial: false, parseSpecial: false)).ToList();
        var failed = Oracle.BatchCheck(vocab, texts, ours);
        Assert.True(failed.Count == 0, $"{vocab} (WEFT_TOKENIZER_FUZZ_SEED={RunSeed}): {failed.Count}/{texts.Count} texts differ:\n" + string.Join("\n", failed.Take(10).Select(f =>
            $"'{Reference.Show(texts[f.Case])}'\n  llama.cpp {string.Join(' ', f.Theirs)}\n  ours      {string.Join(' ', ours[f.Case])}")));
    }

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void SpecialParsingAndBosMatch(string vocab)
    {
        var tok = Reference.Load(vocab);
        var gen = new RandomText(Seed(vocab, 2), SpecialTexts(tok));
        var cases = new List<(string Text, bool Bos, bool Special)>();
        for (int i = 0; i < 10 * CallFactor; i++) cases.Add((gen.Next(), false, true));
        for (int i = 0; i < 4 * CallFactor; i++) cases.Add((gen.Next(), true, true));
        for (int i = 0; i < 3 * CallFactor; i++) cases.Add((gen.Next(), true, false));
        cases.Add(("", true, true));
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            var want = Oracle.Tokenize(vocab, c.Text, c.Bos, c.Special);
            var got = tok.Encode(c.Text, addSpecial: c.Bos, parseSpecial: c.Special);
            if (!got.SequenceEqual(want))
                failures.Add($"bos={c.Bos} special={c.Special} '{Reference.Show(c.Text)}'\n  llama.cpp {string.Join(' ', want)}\n  ours      {string.Join(' ', got)}");
        });
        Assert.True(failures.IsEmpty, $"{vocab}: {failures.Count}/{cases.Count} differ:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void DecodeMatches(string vocab)
    {
        var tok = Reference.Load(vocab);
        var gen = new RandomText(Seed(vocab, 3), SpecialTexts(tok));
        var rng = new Random(Seed(vocab, 4));
        var idLists = new List<int[]>();
        for (int i = 0; i < 4 * CallFactor; i++) idLists.Add(tok.Encode(gen.Next(), addSpecial: i % 2 == 0, parseSpecial: true));
        for (int i = 0; i < 3 * CallFactor; i++)
            idLists.Add(Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(tok.VocabSize)).ToArray());
        idLists.RemoveAll(ids => ids.Length == 0);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var work = idLists.SelectMany(ids => new[] { (ids, false), (ids, true) }).ToList();
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = 2 }, w =>
        {
            var (ids, special) = w;
            var want = Oracle.Detokenize(vocab, ids, special);
            var got = tok.DecodeBytes(ids, renderSpecial: special);
            if (!got.AsSpan().SequenceEqual(want))
                failures.Add($"special={special} ids {string.Join(' ', ids)}\n  llama.cpp '{Reference.Show(Encoding.UTF8.GetString(want))}'\n  ours      '{Reference.Show(Encoding.UTF8.GetString(got))}'");
        });
        Assert.True(failures.IsEmpty, $"{vocab} (WEFT_TOKENIZER_FUZZ_SEED={RunSeed}): {failures.Count}/{work.Count} differ:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void RoundTripHoldsWhereTheOraclesDoes(string vocab)
    {
        var tok = Reference.Load(vocab);
        var gen = new RandomText(Seed(vocab, 5), SpecialTexts(tok));
        var texts = Enumerable.Range(0, 12 * CallFactor).Select(_ => gen.Next()).Where(t => t.Length > 0).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int oracleHeld = 0;
        Parallel.ForEach(texts, new ParallelOptions { MaxDegreeOfParallelism = 2 }, text =>
        {
            var ids = tok.Encode(text, addSpecial: false, parseSpecial: false);
            // A text can encode to no ids at all (BERT drops whitespace and control characters); the oracle's
            // command line takes at least one id, and no ids read back as nothing.
            string theirs = ids.Length == 0 ? "" : Encoding.UTF8.GetString(Oracle.Detokenize(vocab, ids, false));
            string ours = tok.Decode(ids);
            if (theirs == text) Interlocked.Increment(ref oracleHeld);
            if (theirs == text && ours != text)
                failures.Add($"'{Reference.Show(text)}' came back as '{Reference.Show(ours)}'");
        });
        Assert.True(failures.IsEmpty, $"{vocab} (WEFT_TOKENIZER_FUZZ_SEED={RunSeed}): round trip broken where llama.cpp's holds ({oracleHeld} held):\n" + string.Join("\n", failures));
    }
}
