// `weft train --config CONFIG.json`: what to train from scratch, on what, for how long, and where it goes.
// Relative paths are resolved against the config file's folder.
using System.Text.Json;
using System.Text.Json.Serialization;
using Weft.Models;
using Weft.Tensors.Kernels;

namespace Weft.Training.Pretraining;

/// <summary>The failure domain "this training run is not set up correctly": names the field and what is wrong.</summary>
public sealed class TrainingConfigException(string message) : Exception(message);

public sealed record PretrainConfig
{
    public string Name { get; init; } = "model";
    public DataSection Data { get; init; } = new();
    public TokenizerSection Tokenizer { get; init; } = new();
    public ModelSection Model { get; init; } = new();
    public TrainingSection Training { get; init; } = new();
    public OutputSection Output { get; init; } = new();
    /// <summary>tokenizer.chat_template of the written GGUF (Jinja), if any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ChatTemplate { get; init; }
    /// <summary>Written into the GGUF as general.* (license, description, url…).</summary>
    public Dictionary<string, string> General { get; init; } = [];

    public sealed record DataSection
    {
        public string Path { get; init; } = "";
        /// <summary>"verses" (reference-prefixed lines, split by book) or "text".</summary>
        public string Format { get; init; } = "text";
        public string[] ValidationBooks { get; init; } = [];
        /// <summary>For "text": every n-th non-empty line is held out.</summary>
        public int ValidationEvery { get; init; } = 50;
    }

    public sealed record TokenizerSection
    {
        public int VocabSize { get; init; } = 4096;
    }

    public sealed record ModelSection
    {
        public int Embedding { get; init; } = 256;
        public int Layers { get; init; } = 4;
        public int Heads { get; init; } = 8;
        public int KvHeads { get; init; } = 4;
        public int FeedForward { get; init; } = 768;
        public int Context { get; init; } = 256;
        public float RopeBase { get; init; } = 10000f;
        public float NormEpsilon { get; init; } = 1e-5f;
    }

    public sealed record TrainingSection
    {
        public int Steps { get; init; } = 1000;
        /// <summary>Sequences per optimizer step.</summary>
        public int BatchSequences { get; init; } = 8;
        /// <summary>Tokens per sequence, BOS included (at most model.context).</summary>
        public int SequenceLength { get; init; } = 256;
        public double LearningRate { get; init; } = 3e-3;
        public int WarmupSteps { get; init; } = 100;
        public double MinLearningRateShare { get; init; } = 0.1;
        public double WeightDecay { get; init; } = 0.1;
        public double ClipNorm { get; init; } = 1.0;
        public int Seed { get; init; } = 1;
        public int Threads { get; init; } = 0;
        public int EvalEvery { get; init; } = 100;
        /// <summary>Validation windows per evaluation (0: all of the validation text).</summary>
        public int EvalWindows { get; init; } = 0;
        public int CheckpointEvery { get; init; } = 50;
    }

    public sealed record OutputSection
    {
        public string Dir { get; init; } = "out";
        /// <summary>F32 or F16 for the matrices (norm weights stay F32).</summary>
        public string Type { get; init; } = "F16";
    }

    [JsonIgnore] public string BaseDirectory { get; init; } = ".";

    public string Resolve(string path) => System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, path));

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    public static PretrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new TrainingConfigException($"{path}: no such config file");
        PretrainConfig? c;
        try
        {
            c = JsonSerializer.Deserialize<PretrainConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new TrainingConfigException($"{path}: {e.Message}");
        }
        if (c == null) throw new TrainingConfigException($"{path}: empty config");
        c = c with { BaseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))! };
        c.Validate();
        return c;
    }

    public void Validate()
    {
        void Require(bool ok, string what) { if (!ok) throw new TrainingConfigException(what); }
        var m = Model;
        var t = Training;
        Require(Data.Path.Length > 0, "data.path is required");
        Require(Tokenizer.VocabSize >= 300, "tokenizer.vocab_size must be at least 300");
        Require(m.Embedding > 0 && m.Layers > 0 && m.Heads > 0 && m.FeedForward > 0 && m.Context >= 2, "model sizes must be positive (context at least 2)");
        Require(m.Embedding % m.Heads == 0, "model.embedding must be a multiple of model.heads");
        Require(m.KvHeads > 0 && m.Heads % m.KvHeads == 0, "model.heads must be a multiple of model.kv_heads");
        Require((m.Embedding / m.Heads) % 2 == 0, "the head width (embedding / heads) must be even for RoPE");
        Require(t.Steps > 0 && t.BatchSequences > 0, "training.steps and training.batch_sequences must be positive");
        Require(t.SequenceLength >= 2 && t.SequenceLength <= m.Context, "training.sequence_length must be in 2..model.context");
        Require(t.LearningRate > 0 && t.WarmupSteps >= 0 && t.MinLearningRateShare is >= 0 and <= 1, "learning-rate settings out of range");
        Require(t.EvalEvery > 0 && t.CheckpointEvery > 0 && t.EvalWindows >= 0, "training.eval_every and checkpoint_every must be positive");
        Require(Output.Type is "F32" or "F16", "output.type must be F32 or F16");
    }

    public ModelConfig ToModelConfig(int vocabSize)
    {
        var m = Model;
        int hd = m.Embedding / m.Heads;
        return new ModelConfig
        {
            Architecture = "llama",
            VocabSize = vocabSize,
            EmbeddingLength = m.Embedding,
            LayerCount = m.Layers,
            HeadCount = m.Heads,
            KvHeadCount = m.KvHeads,
            HeadDim = hd,
            ValueHeadDim = hd,
            FeedForwardLength = m.FeedForward,
            NormEpsilon = m.NormEpsilon,
            TrainContextLength = m.Context,
            Rope = new RopeParams(hd, m.RopeBase),
            AttentionScale = 1f / MathF.Sqrt(hd),
        };
    }
}
