// Quantized models: files llama.cpp quantizes run in Weft with llama.cpp's logits, and files Weft quantizes run in
// llama.cpp as well as llama.cpp's own quantization of the same source does.
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Models.Tests;

public class QuantizedDifferentialTests(ITestOutputHelper output)
{
    /// <summary>Every weight type, written pure (all matrices in the type) so each format's own kernels are exercised.</summary>
    public static readonly string[] PureTypes = ["F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K"];

    /// <summary>Recipes users pick, with llama.cpp's per-tensor choices.</summary>
    public static readonly string[] Recipes = ["F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K"];

    private static readonly string[] ShapesForQuantized = ["mha-64", "gqa-96", "gqa-256", "mqa-256-hd128", "real-vocab-4l", "experts"];

    public static TheoryData<string, string> OracleFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in ShapesForQuantized)
            foreach (var type in PureTypes)
                data.Add(shape, type);
        return data;
    }

    public static TheoryData<string> RecipeNames() => new(Recipes);

    private static float[] OracleF32(string f32, int[] ids) => Oracle.Logits(f32, ids);

    [Theory]
    [MemberData(nameof(OracleFiles))]
    public void LlamaCppQuantizedFilesMatchTheOracle(string shape, string type)
    {
        var spec = DifferentialTests.Shapes[shape];
        string f32 = TinyModels.Write(spec);
        string path = QuantizedModels.ByOracle(f32, type, pure: true);
        var ids = TinyModels.RandomPrompt(spec.VocabSize, 32, spec.Seed + 100);
        var expected = Oracle.Logits(path, ids);
        var actual = Engine.Logits(path, ids);
        var verdict = Agreement.Check(expected, actual, spec.VocabSize, type, () => OracleF32(f32, ids));
        output.WriteLine($"{shape} {type}: {verdict}");
        Assert.True(verdict.Passed, verdict.ToString());
    }

    [Theory]
    [MemberData(nameof(RecipeNames))]
    public void WeftQuantizedFilesRunInLlamaCppLikeItsOwn(string recipe)
    {
        var spec = DifferentialTests.Shapes["real-vocab-4l"];
        string f32 = TinyModels.Write(spec);
        string ours = QuantizedModels.ByWeft(f32, recipe, pure: false);
        string theirs = QuantizedModels.ByOracle(f32, recipe, pure: false);
        var ids = TinyModels.RandomPrompt(spec.VocabSize, 32, 77);
        var expected = Oracle.Logits(theirs, ids);
        var actual = Oracle.Logits(ours, ids);
        var verdict = Agreement.Check(expected, actual, spec.VocabSize, recipe, () => OracleF32(f32, ids));
        output.WriteLine($"{recipe}: llama.cpp on our file vs on its own: {verdict}");
        Assert.True(verdict.Passed, verdict.ToString());
        var inWeft = Engine.Logits(ours, ids);
        var self = Agreement.Check(actual, inWeft, spec.VocabSize, recipe, () => OracleF32(f32, ids));
        output.WriteLine($"{recipe}: Weft vs llama.cpp on our file: {self}");
        Assert.True(self.Passed, self.ToString());
    }

    [Theory]
    [MemberData(nameof(RecipeNames))]
    public void RecipesChooseTheSameTensorTypesAsLlamaCpp(string recipe)
    {
        var spec = DifferentialTests.Shapes["real-vocab-4l"] with { Name = "recipe-8l", Layers = 8 };
        string f32 = TinyModels.Write(spec);
        using var ours = Weft.Formats.Gguf.GgufFile.Open(QuantizedModels.ByWeft(f32, recipe, pure: false));
        using var theirs = Weft.Formats.Gguf.GgufFile.Open(QuantizedModels.ByOracle(f32, recipe, pure: false));
        Assert.Equal(theirs.Tensors.Select(t => (t.Name, t.Type)).OrderBy(t => t.Name, StringComparer.Ordinal), ours.Tensors.Select(t => (t.Name, t.Type)).OrderBy(t => t.Name, StringComparer.Ordinal));
        Assert.Equal(theirs.Get("general.file_type").AsInt64("general.file_type"), ours.Get("general.file_type").AsInt64("general.file_type"));
    }
}
