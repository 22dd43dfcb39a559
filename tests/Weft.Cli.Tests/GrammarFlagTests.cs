// `weft run --json-schema FILE` and `--grammar-file FILE`: the output follows the file; a bad file is a user error
// that names the file, line and column.
using System.Text.Json;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class GrammarFlagTests : IDisposable
{
    private static readonly SyntheticModelSpec Spec = new SyntheticModelSpec
    {
        Name = "run-grammar", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 1, FeedForward = 128, Seed = 64,
    }.WithLlamaVocabulary();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "weft-grammar-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public GrammarFlagTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void JsonSchemaAndGrammarFilesConstrainTheOutput()
    {
        string model = TinyModels.Write(Spec);
        string schema = Write("s.json", """{"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":9},"c":{"enum":["x","y"]}},"required":["n","c"],"additionalProperties":false}""");
        var r = WeftProcess.Run("run", model, "-p", "Hello", "-n", "60", "--temp", "1", "--seed", "5", "--json-schema", schema);
        Assert.True(r.Exit == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout.Trim());
        Assert.InRange(doc.RootElement.GetProperty("n").GetInt32(), 1, 9);
        Assert.Contains(doc.RootElement.GetProperty("c").GetString(), new[] { "x", "y" });
        Assert.Contains("stop: EndOfGeneration", r.Stderr, StringComparison.Ordinal);

        string gbnf = Write("g.gbnf", "root ::= \"A\" [0-9] [0-9]\n");
        r = WeftProcess.Run("run", model, "-p", "Hello", "-n", "60", "--grammar-file", gbnf);
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Matches("^A[0-9]{2}$", r.Stdout.Trim());
    }

    [Fact]
    public void BadFilesAreUserErrors()
    {
        string model = TinyModels.Write(Spec);
        string gbnf = Write("bad.gbnf", "root ::= item\n");
        var r = WeftProcess.Run("run", model, "-p", "Hi", "--grammar-file", gbnf);
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("weft: error:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("bad.gbnf: grammar line 1, column 10: rule 'item' is used but never defined", r.Stderr, StringComparison.Ordinal);

        string schema = Write("bad.json", """{"type":"string","format":"ipv4"}""");
        r = WeftProcess.Run("run", model, "-p", "Hi", "--json-schema", schema);
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("'format'", r.Stderr, StringComparison.Ordinal);
    }
}
