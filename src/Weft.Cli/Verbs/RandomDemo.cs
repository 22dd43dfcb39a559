// weft demo --random: writes a small random-weight model, quantizes it, and runs both end to end.
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Quantization;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class RandomDemo
{
    private static readonly SyntheticModelSpec Spec = new()
    {
        Name = "weft-demo", Embedding = 256, Layers = 4, Heads = 8, KvHeads = 2, FeedForward = 704, Vocab = 2048, Context = 512, Seed = 2026,
    };

    public static int Run(string dir, int threads)
    {
        string f32 = Path.Combine(dir, "weft-demo-f32.gguf");
        string q8 = Path.Combine(dir, "weft-demo-q8_0.gguf");
        if (!File.Exists(f32)) SyntheticModel.Write(Spec, f32);
        Console.WriteLine($"model: {f32} ({new FileInfo(f32).Length:N0} bytes, random weights)");
        ModelQuantizer.Quantize(f32, q8, FileType.Parse("Q8_0"));
        Console.WriteLine($"quantized: {q8} ({new FileInfo(q8).Length:N0} bytes)");
        using var pool = new WorkerPool(threads);
        foreach (var path in new[] { f32, q8 }) Run(path, pool);
        return 0;
    }

    private static void Run(string path, WorkerPool pool)
    {
        using var model = Model.Load(path);
        var c = model.Config;
        Console.WriteLine();
        Console.WriteLine($"{Path.GetFileName(path)}: {c.Architecture}, {c.LayerCount} layers, {c.HeadCount} heads ({c.KvHeadCount} key/value), width {c.EmbeddingLength}, vocabulary {c.VocabSize}, {model.BytesPerToken:N0} weight bytes per token");
        var tokenizer = model.Tokenizer;
        var prompt = tokenizer.Encode("a demo prompt for the weft engine", addSpecial: true, parseSpecial: false);
        var generator = new Generator(new DecoderSession(model, pool, 256), tokenizer);
        var result = generator.Generate(new GenerationRequest { Prompt = prompt, MaxTokens = 48, Sampling = SamplingOptions.Greedy });
        Console.WriteLine($"prompt ids: {string.Join(",", prompt)}");
        Console.WriteLine($"greedy continuation (random weights, so the words are random): {result.Text.Trim()}");
        Console.WriteLine($"prompt {result.PromptTokensPerSecond:F0} tok/s, generation {result.GenerationTokensPerSecond:F0} tok/s ({pool.ThreadCount} threads)");
    }
}
