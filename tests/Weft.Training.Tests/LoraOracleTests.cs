// An adapter trained here for a few steps, applied by llama.cpp (refharness logits --lora), against our own forward pass.
using System.Globalization;
using System.Runtime.InteropServices;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Training.Modeling;
using Weft.Training.Optimization;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class LoraOracleTests(ITestOutputHelper output)
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "train-lora", Embedding = 64, Heads = 4, KvHeads = 2, FeedForward = 96, Vocab = 320, Seed = 12 };

    private static float[] OracleLogits(string model, int[] ids, string adapter)
    {
        string outFile = Path.Combine(Path.GetTempPath(), $"weft-lora-{Guid.NewGuid():N}.f32");
        try
        {
            var args = new List<string> { "logits", model };
            args.AddRange(ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
            args.AddRange(["--out", outFile, "--lora", adapter]);
            var (exit, _, stderr) = Oracle.Run(args.ToArray());
            Assert.True(exit == 0, stderr);
            return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outFile)).ToArray();
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Theory]
    [InlineData("q,k,v,o,gate,up,down", 4, 8f)]
    [InlineData("q,v", 8, 16f)]
    public void Llama_cpp_applies_our_trained_adapter_as_we_do(string targets, int rank, float alpha)
    {
        string basePath = TinyModels.Write(Spec);
        using var m = Model.Load(basePath);
        var model = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = rank, Alpha = alpha, Dropout = 0.1f, Targets = LoraOptions.ParseTargets(targets) }, Engine.Pool);
        var trainer = new Trainer<float>(model, new TrainerOptions { Schedule = LearningRateSchedule.Constant(2e-2) });
        var train = TokenBatch.From([TrainingExample.AllTokens(TinyModels.RandomPrompt(Spec.Vocab, 20, seed: 3))]);
        for (int s = 0; s < 4; s++) output.WriteLine($"step {s}: loss {trainer.TrainStep(train).Loss:F4}");

        string adapter = Path.Combine(TinyModels.Folder, $"train-lora-{Guid.NewGuid():N}.gguf");
        try
        {
            LoraAdapter.Write(adapter, model, "test adapter");
            var ids = TinyModels.RandomPrompt(Spec.Vocab, 17, seed: 8);
            var ours = model.Forward(TokenBatch.ForInference(ids));
            var theirs = OracleLogits(basePath, ids, adapter);
            var plain = Engine.Logits(basePath, ids);
            double nmse = LogitMetrics.Nmse(theirs, ours);
            double top1 = LogitMetrics.TolerantTop1(theirs, ours, Spec.Vocab, Tolerances.FloatTop1Margin);
            double effect = LogitMetrics.Nmse(theirs, plain);
            output.WriteLine($"{targets} r={rank} alpha={alpha}: NMSE {nmse:E2}, tolerant top-1 {top1:P1}; adapter vs base NMSE {effect:E2}");
            Assert.True(effect > 1e-3, $"the adapter barely changes the logits (NMSE {effect:E2}): the comparison would prove nothing");
            Assert.True(nmse <= Tolerances.F32Nmse, $"NMSE {nmse:E2}");
            Assert.True(top1 >= Tolerances.FloatTop1Share, $"top-1 {top1:P1}");

            // Reading the file back reproduces the trained factors exactly.
            var reloaded = TrainingModel<float>.WithLora(m, new LoraOptions { Rank = rank, Alpha = alpha, Targets = LoraOptions.ParseTargets(targets), Seed = 99 }, Engine.Pool);
            LoraAdapter.Load(adapter, reloaded);
            Assert.Equal(ours, reloaded.Forward(TokenBatch.ForInference(ids)));
        }
        finally
        {
            File.Delete(adapter);
        }
    }
}
