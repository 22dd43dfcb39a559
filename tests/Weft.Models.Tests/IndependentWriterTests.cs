// Models written by llama.cpp's own Python GGUF writer (and quantized by llama.cpp) load in our engine with the
// oracle's logits: an independent writer keeps our reader and writer from agreeing on a shared mistake.
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests;

public class IndependentWriterTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { "tiny-llama", "tiny-llama-gqa", "tiny-mixtral" })
            foreach (var type in ModelTypes.FromMkModels)
                data.Add(model, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LogitsMatchTheOracle(string model, string type)
    {
        string path = Oracle.RefModel(model, type);
        var ids = TinyModels.RandomPrompt(32000, 24, model.Length + type.Length);
        var expected = Oracle.Logits(path, ids);
        var actual = Engine.Logits(path, ids);
        var verdict = Agreement.Check(expected, actual, 32000, type, () => Oracle.Logits(Oracle.RefModel(model, "f32"), ids));
        output.WriteLine($"{model} {type}: {verdict}");
        Assert.True(verdict.Passed, verdict.ToString());
    }
}
