// JSON Schema -> grammar: sampled instances validate (JsonSchema.Net, formats asserted), hand-written instances
// are accepted or refused as the schema says, and keywords that cannot be enforced are errors naming them.
using System.Text.Json.Nodes;
using Json.Schema;
using Weft.Inference.Generation;
using Weft.Inference.Grammar;
using Xunit.Abstractions;
using G = Weft.Inference.Grammar.Grammar;

namespace Weft.Inference.Tests.Grammar;

[Collection(GrammarModelCollection.Name)]
public class JsonSchemaGrammarTests(GrammarTestModel model, ITestOutputHelper output)
{
    private const int SeedsPerSchema = 8;

    private static readonly EvaluationOptions Strict = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.List };

    public static TheoryData<string> Names => new(JsonSchemaCases.All.Select(c => c.Name));

    private static JsonSchemaCases.Case Find(string name) => JsonSchemaCases.All.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void HandWrittenInstancesAreAcceptedOrRefusedAsTheSchemaSays(string name)
    {
        var c = Find(name);
        var grammar = G.FromJsonSchema(c.Schema);
        var schema = JsonSchema.FromText(c.Schema);
        foreach (string v in c.Valid)
        {
            Assert.True(schema.Evaluate(JsonNode.Parse(v), Strict).IsValid, $"test case error: {v} should validate");
            Assert.True(grammar.Matches(v), $"{name}: the grammar refuses the valid instance {v}\n{grammar.Source}");
        }
        foreach (string v in c.Invalid)
            Assert.False(grammar.Matches(v), $"{name}: the grammar accepts the invalid instance {v}\n{grammar.Source}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SampledInstancesValidate(string name)
    {
        var c = Find(name);
        var grammar = G.FromJsonSchema(c.Schema);
        var schema = JsonSchema.FromText(c.Schema);
        int baseSeed = Random.Shared.Next(1, 1_000_000);
        int finished = 0;
        for (int i = 0; i < SeedsPerSchema; i++)
        {
            int seed = baseSeed + i;
            var r = model.Sample(grammar, seed);
            output.WriteLine($"seed {seed}: {r.Finish}, {r.Tokens.Count} tokens: {r.Text}");
            // an unbounded schema (any object) lets a random model go on past the token limit: that sample is unfinished,
            // not wrong; the rest must end by themselves and validate
            if (r.Finish == FinishReason.Length) continue;
            Assert.True(r.Finish == FinishReason.EndOfGeneration, $"{name}, seed {seed}: ended by {r.Finish} after {r.Tokens.Count} tokens: {r.Text}");
            finished++;
            var node = JsonInstances.Parse(r.Text, out var duplicates, $"{name}, seed {seed}");
            if (duplicates.Count > 0) output.WriteLine($"  repeated free-form keys (kept the first): {string.Join(", ", duplicates)}");
            var result = schema.Evaluate(node, Strict);
            Assert.True(result.IsValid, $"{name}, seed {seed}: does not validate: {r.Text}\n" +
                string.Join("\n", (result.Details ?? []).Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        }
        Assert.True(finished * 2 >= SeedsPerSchema, $"{name}: only {finished} of {SeedsPerSchema} samples (seeds from {baseSeed}) ended by themselves");
    }

    [Fact]
    public void JsonObjectModeGivesObjects()
    {
        int baseSeed = Random.Shared.Next(1, 1_000_000);
        int finished = 0;
        for (int i = 0; i < SeedsPerSchema; i++)
        {
            var r = model.Sample(G.JsonObject, baseSeed + i);
            if (r.Finish == FinishReason.Length) continue; // unbounded: unfinished at the token limit, not wrong
            Assert.True(r.Finish == FinishReason.EndOfGeneration, $"seed {baseSeed + i}: {r.Finish}: {r.Text}");
            Assert.IsType<JsonObject>(JsonInstances.Parse(r.Text, out _, $"seed {baseSeed + i}"));
            finished++;
        }
        Assert.True(finished * 2 >= SeedsPerSchema, $"only {finished} of {SeedsPerSchema} samples (seeds from {baseSeed}) ended by themselves");
    }

    [Theory]
    [InlineData("""{"type":"string","contentEncoding":"base64"}""", "contentEncoding")]
    [InlineData("""{"type":"object","minProperties":1}""", "minProperties")]
    [InlineData("""{"type":"object","patternProperties":{"^a":{}}}""", "patternProperties")]
    [InlineData("""{"type":"string","format":"hostname"}""", "format")]
    [InlineData("""{"$ref":"https://example.com/s.json"}""", "$ref")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "$ref")]
    [InlineData("""{"type":"string","pattern":"(?=a)b"}""", "pattern")]
    [InlineData("""{"type":"string","pattern":"(a)\\1"}""", "pattern")]
    [InlineData("""{"type":"number","multipleOf":2}""", "multipleOf")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "uniqueItems")]
    [InlineData("""{"not":{"type":"string"}}""", "not")]
    [InlineData("""{"if":{"type":"string"},"then":{}}""", "if")]
    [InlineData("""{"type":"widget"}""", "type")]
    [InlineData("""false""", "false")]
    public void KeywordsThatCannotBeEnforcedAreErrorsNamingThem(string schema, string keyword)
    {
        var e = Assert.Throws<GrammarException>(() => G.FromJsonSchema(schema));
        Assert.Equal(keyword, e.Keyword);
        Assert.Contains($"'{keyword}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotJsonIsAnError() =>
        Assert.Contains("not valid JSON", Assert.Throws<GrammarException>(() => G.FromJsonSchema("{\"type\":")).Message, StringComparison.Ordinal);

    [Fact]
    public void IntegerRangesAreExact()
    {
        var rng = new Random(Random.Shared.Next());
        for (int trial = 0; trial < 40; trial++)
        {
            long? lo = rng.Next(3) == 0 ? null : rng.Next(-3000, 3000);
            long? hi = rng.Next(3) == 0 ? null : (lo ?? -3000) + rng.Next(0, 4000);
            string schema = $"{{\"type\":\"integer\"{(lo == null ? "" : $",\"minimum\":{lo}")}{(hi == null ? "" : $",\"maximum\":{hi}")}}}";
            var g = G.FromJsonSchema(schema);
            for (long v = -4000; v <= 8000; v += 1 + rng.Next(7))
                Assert.True(((lo == null || v >= lo) && (hi == null || v <= hi)) == g.Matches(v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    $"{schema}: {v}");
        }
    }

    [Fact]
    public void NumberRangesAreSound()
    {
        var rng = new Random(Random.Shared.Next());
        for (int trial = 0; trial < 30; trial++)
        {
            double lo = Math.Round(rng.NextDouble() * 40 - 20, rng.Next(3));
            double hi = lo + Math.Round(rng.NextDouble() * 30, rng.Next(3));
            bool loEx = rng.Next(2) == 0, hiEx = rng.Next(2) == 0;
            string schema = FormattableString.Invariant($"{{\"type\":\"number\",\"{(loEx ? "exclusiveMinimum" : "minimum")}\":{lo},\"{(hiEx ? "exclusiveMaximum" : "maximum")}\":{hi}}}");
            G g;
            try
            {
                g = G.FromJsonSchema(schema);
            }
            catch (GrammarException) when (Math.Floor(hi) - Math.Ceiling(lo) < 1)
            {
                continue; // a range holding no whole unit interval is refused (documented), never mis-generated
            }
            int accepted = 0;
            for (int i = 0; i < 400; i++)
            {
                double v = Math.Round(rng.NextDouble() * 80 - 40, rng.Next(4));
                string text = v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                bool inRange = (loEx ? v > lo : v >= lo) && (hiEx ? v < hi : v <= hi);
                if (g.Matches(text)) { accepted++; Assert.True(inRange, $"{schema} accepts {text}"); }
            }
            if (hi - lo >= 2) Assert.True(accepted > 0, $"{schema} accepted none of the values in range");
        }
    }
}
