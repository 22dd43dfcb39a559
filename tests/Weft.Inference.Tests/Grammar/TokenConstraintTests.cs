// The trie-walked mask equals a scan of every token through a matcher (the scalar reference), on random states;
// and the constraint works through Generator and BatchScheduler, ending where the grammar is complete.
using Weft.Inference.Batching;
using Weft.Inference.Generation;
using Weft.Inference.Grammar;
using Weft.Inference.Sampling;
using Weft.Models.Transformer;
using Weft.TestKit;
using Xunit.Abstractions;
using G = Weft.Inference.Grammar.Grammar;

namespace Weft.Inference.Tests.Grammar;

[Collection(GrammarModelCollection.Name)]
public class TokenConstraintTests(GrammarTestModel model, ITestOutputHelper output)
{
    public static TheoryData<string> Grammars => new()
    {
        JsonSchemaCases.All.Single(c => c.Name == "object").Schema,
        JsonSchemaCases.All.Single(c => c.Name == "formats").Schema,
        """{"type":"array","items":{"type":"string","pattern":"^[é€😀a-c]+$"}}""",
        "gbnf:root ::= ( [^\\x00-\\x7F] | \"ab\" | [0-9]{2} )+ \"!\"",
    };

    [Theory]
    [MemberData(nameof(Grammars))]
    public void TheMaskEqualsAScanOfEveryToken(string source)
    {
        var grammar = source.StartsWith("gbnf:", StringComparison.Ordinal) ? G.Parse(source[5..]) : G.FromJsonSchema(source);
        var tok = model.Tokenizer;
        int seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var constraint = new TokenConstraint(grammar, tok);
        var matcher = grammar.CreateMatcher();
        for (int step = 0; step < 25; step++)
        {
            var allowed = constraint.Allowed.ToArray();
            var expected = new List<int>();
            for (int id = 0; id < tok.VocabSize; id++)
            {
                bool ok;
                if (tok.IsEog(id)) ok = matcher.IsComplete;
                else
                {
                    var piece = tok.Piece(id, renderSpecial: false);
                    ok = !piece.IsEmpty && matcher.Clone().AcceptBytes(piece);
                }
                Assert.True(ok == ((allowed[id >> 6] >> id & 1) != 0), $"seed {seed}, step {step}: token {id} ({tok.TokenText(id)}) expected {(ok ? "allowed" : "refused")}");
                if (ok && !tok.IsEog(id)) expected.Add(id);
            }
            Assert.Equal(expected.Count, constraint.ContinuationCount);
            if (expected.Count == 0) break;
            int next = expected[rng.Next(expected.Count)];
            Assert.True(constraint.Accept(next));
            Assert.True(matcher.AcceptBytes(tok.Piece(next, renderSpecial: false)));
        }
    }

    [Fact]
    public void MaskedLogitsAreMinusInfinityExactlyWhereRefused()
    {
        var constraint = new TokenConstraint(G.Parse("root ::= \"{\" [0-9]+ \"}\""), model.Tokenizer);
        var logits = new float[model.Model.Config.VocabSize];
        for (int i = 0; i < logits.Length; i++) logits[i] = i % 7;
        var masked = new float[logits.Length];
        constraint.Apply(logits, masked);
        for (int i = 0; i < logits.Length; i++)
            Assert.Equal(constraint.IsAllowed(i) ? logits[i] : float.NegativeInfinity, masked[i]);
    }

    private static GenerationRequest Choice(int[] prompt, SamplingOptions sampling) => new()
    {
        Prompt = prompt, MaxTokens = 50, Sampling = sampling, LogProbabilities = 2,
        Grammar = G.Parse("root ::= \"answer: \" ( \"yes\" | \"no\" | \"maybe\" )"),
    };

    [Fact]
    public async Task GeneratorAndSchedulerEndWhereTheGrammarIsComplete()
    {
        var prompt = TinyModels.RandomPrompt(model.Model.Config.VocabSize, 5, 11);
        var generator = new Generator(new DecoderSession(model.Model, model.Pool, 128), model.Tokenizer);
        using var scheduler = new BatchScheduler(model.Model, model.Pool, model.Tokenizer, slots: 2, contextSize: 128, queueLimit: 4);
        foreach (var sampling in new[] { SamplingOptions.Greedy, new SamplingOptions { Temperature = 1f, TopK = 5, TopP = 0.9f, MinP = 0.01f, RepeatPenalty = 1.3f, Seed = 3 } })
        {
            var request = Choice(prompt, sampling);
            var r = generator.Generate(request);
            Assert.Matches("^answer: (yes|no|maybe)$", r.Text);
            Assert.Equal(FinishReason.EndOfGeneration, r.Finish);
            // log-probabilities are the raw model's: the sampled token's is below 0 and its alternatives are free tokens
            Assert.All(r.Probabilities!, p => Assert.True(p.LogProbability < 0));
            Assert.True(scheduler.TrySubmit(request, null, CancellationToken.None, out var batched));
            var b = await batched;
            Assert.Matches("^answer: (yes|no|maybe)$", b.Text);
            Assert.Equal(FinishReason.EndOfGeneration, b.Finish);
            if (sampling.IsGreedy) Assert.Equal(r.Tokens, b.Tokens);
        }
    }

    [Fact]
    public void GrammarNeedsATokenizer()
    {
        var generator = new Generator(new DecoderSession(model.Model, model.Pool, 64), tokenizer: null);
        Assert.Throws<ArgumentException>(() => generator.Generate(Choice([1, 2, 3], SamplingOptions.Greedy)));
    }
}
