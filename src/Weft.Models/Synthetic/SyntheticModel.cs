// Seeded random-weight models written with our own GGUF writer, in llama.cpp's tensor names and metadata:
// for tests, benchmarks and the demo. Weight scales keep activations O(1) and logits spread out (std ≈ 3).
using Weft.Formats.Gguf;

namespace Weft.Models.Synthetic;

public sealed record SyntheticModelSpec
{
    public string Name { get; init; } = "tiny";
    public int Embedding { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    /// <summary>Per-head width; n_embd / heads when 0.</summary>
    public int HeadDim { get; init; }
    public int FeedForward { get; init; } = 128;
    /// <summary>Synthetic vocabulary size (at least 259: control tokens and the 256 byte tokens), ignored with <see cref="VocabularyFrom"/>.</summary>
    public int Vocab { get; init; } = 384;
    /// <summary>A GGUF file whose tokenizer.* metadata (a real vocabulary) replaces the synthetic one.</summary>
    public string? VocabularyFrom { get; init; }
    /// <summary>Token count of <see cref="VocabularyFrom"/>'s vocabulary (set with it).</summary>
    public int VocabularyFromSize { get; init; }
    public bool TiedOutput { get; init; }
    public int Context { get; init; } = 256;
    public float RopeBase { get; init; } = 10000f;
    public string? RopeScaling { get; init; }
    public float RopeFactor { get; init; }
    public int RopeOriginalContext { get; init; }
    public bool RopeFreqFactors { get; init; }
    public int SlidingWindow { get; init; }
    public int Experts { get; init; }
    public int ExpertsUsed { get; init; }
    public float NormEps { get; init; } = 1e-5f;
    public int Seed { get; init; } = 1;

    // Layout of the family (see SyntheticFamilies for each family's preset); the defaults are llama's.
    /// <summary>The GGUF general.architecture written, and the prefix of its metadata keys.</summary>
    public string Architecture { get; init; } = "llama";
    /// <summary>LayerNorm with biases (epsilon under layer_norm_epsilon) instead of RMSNorm.</summary>
    public bool LayerNorm { get; init; }
    /// <summary>No norm tensors at all (olmo's non-parametric LayerNorm).</summary>
    public bool NoNormWeights { get; init; }
    /// <summary>Norms before attention and the feed-forward (false: olmo2, which normalises after).</summary>
    public bool PreNorms { get; init; } = true;
    /// <summary>post_attention_norm and post_ffw_norm (gemma2, olmo2).</summary>
    public bool PostNorms { get; init; }
    /// <summary>attn_q_norm over the whole query row and attn_k_norm over the key row (olmo2).</summary>
    public bool QkNorms { get; init; }
    /// <summary>Falcon-40B's separate attention norm, attn_norm_2.</summary>
    public bool AttnNorm2 { get; init; }
    public bool FusedQkv { get; init; }
    public bool QkvBias { get; init; }
    /// <summary>Attention and MLP in parallel from attn_norm: no ffn_norm (falcon).</summary>
    public bool ParallelResidual { get; init; }
    /// <summary>ffn_gate beside ffn_up; false writes only ffn_up and ffn_down (falcon's GELU MLP).</summary>
    public bool GatedFfn { get; init; } = true;
    /// <summary>Gate and up stacked in one ffn_up of 2·n_ff rows, gate first (phi3).</summary>
    public bool FusedGateUp { get; init; }
    public float AttentionSoftCap { get; init; }
    public float FinalSoftCap { get; init; }
    public int SlidingWindowPattern { get; init; }
    public float ClampKqv { get; init; }
    /// <summary>Phi-3's rope_factors_long/short tensors.</summary>
    public bool RopeFactorsLongShort { get; init; }
    public float RopeAttnFactor { get; init; }

    /// <summary>tokenizer.chat_template to write; null: none.</summary>
    public string? ChatTemplate { get; init; }

    public int HeadWidth => HeadDim > 0 ? HeadDim : Embedding / Heads;
    public int VocabSize => VocabularyFrom != null ? VocabularyFromSize : Vocab;
}

public static class SyntheticModel
{
    /// <summary>Writes the model, every tensor F32, to <paramref name="path"/>.</summary>
    public static void Write(SyntheticModelSpec s, string path)
    {
        string Arch = s.Architecture;
        var w = new GgufWriter();
        w.Set(MetadataKeys.Architecture, Arch);
        w.Set(MetadataKeys.Name, s.Name);
        w.Set(MetadataKeys.FileType, 0u);
        w.Set(MetadataKeys.ContextLength(Arch), (uint)s.Context);
        w.Set(MetadataKeys.EmbeddingLength(Arch), (uint)s.Embedding);
        w.Set(MetadataKeys.BlockCount(Arch), (uint)s.Layers);
        w.Set(MetadataKeys.FeedForwardLength(Arch), (uint)s.FeedForward);
        w.Set(MetadataKeys.HeadCount(Arch), (uint)s.Heads);
        w.Set(MetadataKeys.HeadCountKv(Arch), (uint)s.KvHeads);
        if (s.HeadDim > 0)
        {
            w.Set(MetadataKeys.KeyLength(Arch), (uint)s.HeadDim);
            w.Set(MetadataKeys.ValueLength(Arch), (uint)s.HeadDim);
        }
        w.Set(MetadataKeys.RopeDimensionCount(Arch), (uint)s.HeadWidth);
        w.Set(MetadataKeys.RopeFreqBase(Arch), s.RopeBase);
        w.Set(s.LayerNorm || s.NoNormWeights ? MetadataKeys.LayerNormEpsilon(Arch) : MetadataKeys.RmsEpsilon(Arch), s.NormEps);
        if (s.AttentionSoftCap > 0) w.Set(MetadataKeys.AttnLogitSoftcapping(Arch), s.AttentionSoftCap);
        if (s.FinalSoftCap > 0) w.Set(MetadataKeys.FinalLogitSoftcapping(Arch), s.FinalSoftCap);
        if (s.SlidingWindowPattern > 0) w.Set(MetadataKeys.SlidingWindowPattern(Arch), (uint)s.SlidingWindowPattern);
        if (s.ClampKqv > 0) w.Set(MetadataKeys.ClampKqv(Arch), s.ClampKqv);
        if (s.RopeAttnFactor > 0) w.Set(MetadataKeys.RopeScalingAttnFactor(Arch), s.RopeAttnFactor);
        if (s.RopeScaling != null || s.RopeOriginalContext > 0)
        {
            if (s.RopeScaling != null) w.Set(MetadataKeys.RopeScalingType(Arch), s.RopeScaling);
            if (s.RopeFactor > 0) w.Set(MetadataKeys.RopeScalingFactor(Arch), s.RopeFactor);
            if (s.RopeOriginalContext > 0) w.Set(MetadataKeys.RopeScalingOriginalContext(Arch), (uint)s.RopeOriginalContext);
        }
        if (s.SlidingWindow > 0) w.Set(MetadataKeys.SlidingWindow(Arch), (uint)s.SlidingWindow);
        if (s.Experts > 0)
        {
            w.Set(MetadataKeys.ExpertCount(Arch), (uint)s.Experts);
            w.Set(MetadataKeys.ExpertUsedCount(Arch), (uint)s.ExpertsUsed);
        }
        w.Set(MetadataKeys.VocabSize(Arch), (uint)s.VocabSize);
        WriteVocabulary(w, s);
        if (s.ChatTemplate != null) w.Set(MetadataKeys.ChatTemplate, s.ChatTemplate);
        AddWeights(w, s);
        w.Write(path);
    }

    private static void WriteVocabulary(GgufWriter w, SyntheticModelSpec s)
    {
        if (s.VocabularyFrom != null)
        {
            using var v = GgufFile.Open(s.VocabularyFrom);
            w.CopyMetadata(v, k => k.StartsWith("tokenizer.", StringComparison.Ordinal));
            return;
        }
        if (s.Vocab < 259) throw new ArgumentException("a synthetic vocabulary needs at least 259 tokens");
        var tokens = new string[s.Vocab];
        var scores = new float[s.Vocab];
        var types = new int[s.Vocab];
        tokens[0] = "<unk>"; types[0] = 2;
        tokens[1] = "<s>"; types[1] = 3;
        tokens[2] = "</s>"; types[2] = 3;
        for (int b = 0; b < 256; b++) { tokens[3 + b] = $"<0x{b:X2}>"; types[3 + b] = 6; }
        for (int i = 259; i < s.Vocab; i++)
        {
            // Distinct word-like pieces: ▁ + letters from the index.
            tokens[i] = "\u2581" + Word(i - 259);
            types[i] = 1;
            scores[i] = -(i - 259);
        }
        w.Set("tokenizer.ggml.model", "llama");
        w.Set("tokenizer.ggml.tokens", GgufValue.Of(tokens));
        w.Set("tokenizer.ggml.scores", GgufValue.Of(scores));
        w.Set("tokenizer.ggml.token_type", GgufValue.Of(types));
        w.Set("tokenizer.ggml.bos_token_id", 1u);
        w.Set("tokenizer.ggml.eos_token_id", 2u);
        w.Set("tokenizer.ggml.unknown_token_id", 0u);
        w.Set("tokenizer.ggml.add_bos_token", true);
        w.Set("tokenizer.ggml.add_eos_token", false);
    }

    private static string Word(int i)
    {
        var chars = new List<char>();
        do { chars.Add((char)('a' + i % 26)); i /= 26; } while (i > 0);
        return new string(chars.ToArray());
    }

    private static void AddWeights(GgufWriter w, SyntheticModelSpec s)
    {
        int d = s.Embedding, hd = s.HeadWidth, q = s.Heads * hd, kv = s.KvHeads * hd, ff = s.FeedForward, v = s.VocabSize;
        float embStd = s.TiedOutput ? 3f / MathF.Sqrt(d) : 1f;
        Matrix(w, s, TensorNames.TokenEmbedding, v, d, embStd);
        for (int l = 0; l < s.Layers; l++)
        {
            if (s.PreNorms) Norm(w, s, TensorNames.AttnNorm(l), TensorNames.AttnNormBias(l), d);
            if (s.AttnNorm2) Norm(w, s, TensorNames.AttnNorm2(l), TensorNames.AttnNorm2Bias(l), d);
            if (s.FusedQkv)
            {
                Matrix(w, s, TensorNames.AttnQkv(l), q + 2 * kv, d, 1f / MathF.Sqrt(d));
                if (s.QkvBias) Bias(w, s, TensorNames.AttnQkvBias(l), q + 2 * kv);
            }
            else
            {
                Matrix(w, s, TensorNames.AttnQ(l), q, d, 1f / MathF.Sqrt(d));
                Matrix(w, s, TensorNames.AttnK(l), kv, d, 1f / MathF.Sqrt(d));
                Matrix(w, s, TensorNames.AttnV(l), kv, d, 1f / MathF.Sqrt(d));
                if (s.QkvBias)
                {
                    Bias(w, s, TensorNames.AttnQBias(l), q);
                    Bias(w, s, TensorNames.AttnKBias(l), kv);
                    Bias(w, s, TensorNames.AttnVBias(l), kv);
                }
            }
            if (s.QkNorms)
            {
                Norm(w, s, TensorNames.AttnQNorm(l), null, q);
                Norm(w, s, TensorNames.AttnKNorm(l), null, kv);
            }
            Matrix(w, s, TensorNames.AttnOutput(l), d, q, 1f / MathF.Sqrt(q));
            if (s.PostNorms) Norm(w, s, TensorNames.AttnPostNorm(l), null, d);
            if (s.PreNorms && !s.ParallelResidual) Norm(w, s, TensorNames.FfnNorm(l), null, d);
            if (s.Experts > 0)
            {
                Matrix(w, s, TensorNames.FfnGateInput(l), s.Experts, d, 1f / MathF.Sqrt(d));
                Stack(w, s, TensorNames.FfnGateExperts(l), s.Experts, ff, d, 1f / MathF.Sqrt(d));
                Stack(w, s, TensorNames.FfnDownExperts(l), s.Experts, d, ff, 1f / MathF.Sqrt(ff));
                Stack(w, s, TensorNames.FfnUpExperts(l), s.Experts, ff, d, 1f / MathF.Sqrt(d));
            }
            else
            {
                if (s.GatedFfn && !s.FusedGateUp) Matrix(w, s, TensorNames.FfnGate(l), ff, d, 1f / MathF.Sqrt(d));
                Matrix(w, s, TensorNames.FfnDown(l), d, ff, 1f / MathF.Sqrt(ff));
                Matrix(w, s, TensorNames.FfnUp(l), s.FusedGateUp ? 2 * ff : ff, d, 1f / MathF.Sqrt(d));
            }
            if (s.PostNorms) Norm(w, s, TensorNames.FfnPostNorm(l), null, d);
        }
        Norm(w, s, TensorNames.OutputNorm, TensorNames.OutputNormBias, d);
        if (!s.TiedOutput) Matrix(w, s, TensorNames.Output, v, d, 3f / MathF.Sqrt(d));
        if (s.RopeFreqFactors) FreqFactors(w, s, TensorNames.RopeFrequencies, hd / 2);
        if (s.RopeFactorsLongShort)
        {
            FreqFactors(w, s, TensorNames.RopeFactorsLong, hd / 2);
            FreqFactors(w, s, TensorNames.RopeFactorsShort, hd / 2);
        }
    }

    private static void FreqFactors(GgufWriter w, SyntheticModelSpec s, string name, int n)
    {
        var rng = Rng(s, name);
        var f = new float[n];
        for (int i = 0; i < f.Length; i++) f[i] = 1f + 3f * (float)rng.NextDouble();
        w.AddTensorF32(name, [f.Length], f);
    }

    private static Random Rng(SyntheticModelSpec s, string name) => new(unchecked(s.Seed * 1000003 ^ StableHash(name)));

    private static void Matrix(GgufWriter w, SyntheticModelSpec s, string name, int rows, int cols, float std) =>
        w.AddTensorF32(name, [cols, rows], Gaussian(Rng(s, name), rows * cols, std, 0));

    private static void Stack(GgufWriter w, SyntheticModelSpec s, string name, int experts, int rows, int cols, float std) =>
        w.AddTensorF32(name, [cols, rows, experts], Gaussian(Rng(s, name), experts * rows * cols, std, 0));

    /// <summary>A norm's weight (1 + 0.1·N) and, for LayerNorm, its bias (0.1·N); nothing for non-parametric norms.</summary>
    private static void Norm(GgufWriter w, SyntheticModelSpec s, string name, string? bias, int n)
    {
        if (s.NoNormWeights) return;
        w.AddTensorF32(name, [n], Gaussian(Rng(s, name), n, 0.1f, 1f));
        if (s.LayerNorm && bias != null) Bias(w, s, bias, n);
    }

    private static void Bias(GgufWriter w, SyntheticModelSpec s, string name, int n) =>
        w.AddTensorF32(name, [n], Gaussian(Rng(s, name), n, 0.1f, 0f));

    public static float[] Gaussian(Random rng, int n, float std, float mean)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = mean + std * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return x;
    }

    public static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }

    /// <summary>Seeded token ids for a prompt: BOS, then ids drawn from the whole vocabulary.</summary>
    public static int[] RandomPrompt(int vocab, int length, int seed)
    {
        var rng = new Random(seed);
        var ids = new int[length];
        ids[0] = 1;
        for (int i = 1; i < length; i++) ids[i] = rng.Next(3, vocab);
        return ids;
    }
}
