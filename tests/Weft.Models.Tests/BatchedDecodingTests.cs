// Several sequences stepped together through DecoderBatch give the logits each gets alone through DecoderSession:
// prompts of different lengths, split into random chunks, interleaved with other sequences' tokens.
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests;

public class BatchedDecodingTests(ITestOutputHelper output)
{
    private static readonly SyntheticModelSpec LlamaGqa = new()
    {
        Name = "batch-llama-gqa", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Seed = 301,
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var family in new[] { "llama", "mixtral", "falcon", "gemma2", "phi3", "olmo2" })
            foreach (var type in new[] { "F32", "Q8_0" })
                data.Add(family, type);
        return data;
    }

    private static SyntheticModelSpec Spec(string family) =>
        family == "llama" ? LlamaGqa : FamilyDifferentialTests.Families[family][0];

    [Theory]
    [MemberData(nameof(Cases))]
    public void SteppingTogetherGivesEachSequencesOwnLogits(string family, string type)
    {
        var spec = Spec(family);
        string f32 = TinyModels.Write(spec);
        string path = type == "F32" ? f32 : QuantizedModels.ByWeft(f32, type, pure: true);
        using var model = Model.Load(path);
        int vocab = model.Config.VocabSize;
        var rng = new Random(spec.Seed);
        // Each sequence's whole stream (prompt, then teacher-forced continuation); one has a single token.
        int[] lengths = [23, 1, 40, 9, 31];
        var streams = lengths.Select((n, s) => TinyModels.RandomPrompt(vocab, n, spec.Seed * 10 + s)).ToArray();

        var alone = new float[streams.Length][];
        for (int s = 0; s < streams.Length; s++)
        {
            var session = new DecoderSession(model, Engine.Pool, contextSize: 64);
            alone[s] = new float[streams[s].Length * vocab];
            session.Evaluate(streams[s], alone[s], allLogits: true);
        }

        // maxBatch 8: calls longer than that are split into several forward passes.
        var batch = new DecoderBatch(model, Engine.Pool, streams.Length, contextSize: 64, maxBatch: 8);
        var together = streams.Select(st => new float[st.Length * vocab]).ToArray();
        var done = new int[streams.Length];
        int calls = 0;
        while (done.Zip(streams).Any(p => p.First < p.Second.Length))
        {
            // One call: each sequence contributes a random chunk (possibly none; mostly single tokens, as in decoding),
            // sequences in random order.
            var seqs = new List<int>();
            var toks = new List<int>();
            var where = new List<(int Seq, int Pos)>();
            foreach (int s in Enumerable.Range(0, streams.Length).OrderBy(_ => rng.Next()))
            {
                int left = streams[s].Length - done[s];
                int take = Math.Min(left, rng.Next(4) switch { 0 => 0, 1 => rng.Next(1, 12), _ => 1 });
                for (int i = 0; i < take; i++)
                {
                    seqs.Add(s);
                    toks.Add(streams[s][done[s]]);
                    where.Add((s, done[s]++));
                }
            }
            if (toks.Count == 0) continue;
            var outputs = Enumerable.Range(0, toks.Count).ToArray();
            var logits = new float[toks.Count * vocab];
            batch.Evaluate(seqs.ToArray(), toks.ToArray(), outputs, logits);
            for (int e = 0; e < where.Count; e++)
                logits.AsSpan(e * vocab, vocab).CopyTo(together[where[e].Seq].AsSpan(where[e].Pos * vocab, vocab));
            calls++;
        }

        for (int s = 0; s < streams.Length; s++)
        {
            Assert.Equal(streams[s].Length, batch.Position(s));
            double nmse = LogitMetrics.Nmse(alone[s], together[s]);
            bool identical = alone[s].AsSpan().SequenceEqual(together[s]);
            output.WriteLine($"{family} {type} sequence {s} ({streams[s].Length} tokens, {calls} calls): NMSE {nmse:g3}{(identical ? ", bit-identical" : "")}");
            Assert.True(nmse <= Tolerances.BatchedNmse, $"sequence {s}: NMSE {nmse} above {Tolerances.BatchedNmse}");
        }
    }

    [Fact]
    public void LogitsOfChosenEntriesOnlyAndTheirOrder()
    {
        string path = TinyModels.Write(LlamaGqa);
        using var model = Model.Load(path);
        int vocab = model.Config.VocabSize;
        int[] a = TinyModels.RandomPrompt(vocab, 5, 1), b = TinyModels.RandomPrompt(vocab, 3, 2);
        var sa = new DecoderSession(model, Engine.Pool, contextSize: 16);
        var sb = new DecoderSession(model, Engine.Pool, contextSize: 16);
        var la = new float[vocab];
        var lb = new float[vocab];
        sa.Evaluate(a, la);
        sb.Evaluate(b, lb);
        var batch = new DecoderBatch(model, Engine.Pool, 2, contextSize: 16);
        // entries: b0 a0 a1 b1 a2 a3 b2 a4; the last entries of each sequence are 6 (b) and 7 (a).
        int[] seqs = [1, 0, 0, 1, 0, 0, 1, 0];
        int[] toks = [b[0], a[0], a[1], b[1], a[2], a[3], b[2], a[4]];
        var logits = new float[2 * vocab];
        batch.Evaluate(seqs, toks, [6, 7], logits);
        Assert.True(LogitMetrics.Nmse(lb, logits.AsSpan(0, vocab)) <= Tolerances.BatchedNmse);
        Assert.True(LogitMetrics.Nmse(la, logits.AsSpan(vocab, vocab)) <= Tolerances.BatchedNmse);
        Assert.Throws<ArgumentException>(() => batch.Evaluate(seqs, toks, [7, 6], logits));
        Assert.Throws<ContextOverflowException>(() => batch.Evaluate(new int[12], new int[12], [], logits));
    }
}
