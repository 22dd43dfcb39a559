// Loading packs the matrices of formats with a row packing, and the packed model computes what the unpacked one does.
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors;
using Weft.Tensors.Quantization.Packed;
using Weft.TestKit;

namespace Weft.Models.Tests;

public class PackedLoadTests
{
    // 256 columns so the K-quants apply; 2 KV heads of 64 make K and V 128 rows; vocabulary 389 leaves 5 rows past the
    // last whole group of eight in the output head, which stay unpacked
    private static readonly SyntheticModelSpec Spec = new()
    {
        Name = "packed-llama", Embedding = 256, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 512, Vocab = 389, Seed = 907,
    };

    [Theory]
    [InlineData("Q4_0")]
    [InlineData("Q8_0")]
    [InlineData("Q4_K_M")]
    [InlineData("Q6_K")]
    public void PackedModelGivesTheUnpackedLogits(string type)
    {
        string path = QuantizedModels.ByWeft(TinyModels.Write(Spec), type, pure: true);
        using var packed = Model.Load(path);
        using var plain = Model.Load(path, [], pack: false);
        Assert.Equal(0, plain.Packs.Bytes);
        var layer = packed.Weights.Layers[0];
        if (RowPacking.For(layer.Q.Type) != null)
        {
            Assert.True(packed.Packs.Bytes > 0, $"{type}: nothing was packed");
            Assert.NotNull(layer.Q.Packing);
            Assert.Null(packed.Weights.TokenEmbedding.Packing);
        }

        int vocab = packed.Config.VocabSize;
        var prompt = TinyModels.RandomPrompt(vocab, 37, Spec.Seed);
        var plainLogits = Logits(plain, prompt);
        var packedLogits = Logits(packed, prompt);
        // Each product agrees to float rounding (the kernel checks); through the layers a flipped Q8 rounding of an
        // activation can grow, so the two loads are held to the rule a quantized model meets against llama.cpp.
        var verdict = Agreement.Check(plainLogits, packedLogits, vocab, type, () =>
        {
            using var f32 = Model.Load(TinyModels.Write(Spec));
            return Logits(f32, prompt);
        });
        Assert.True(verdict.Passed, $"{type}: packed against unpacked: {verdict}");
    }

    private static float[] Logits(Model model, int[] prompt)
    {
        var session = new DecoderSession(model, Engine.Pool, contextSize: 64);
        var logits = new float[prompt.Length * model.Config.VocabSize];
        session.Evaluate(prompt, logits, allLogits: true);
        return logits;
    }
}
