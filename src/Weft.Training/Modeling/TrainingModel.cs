// A llama-architecture decoder for training: forward over a batch of sequences with every activation kept, and the
// backward pass by hand. Either every weight is a trainable float array (full training), or the base stays frozen
// in its GGUF type and LoRA factors are trained.
using System.Numerics;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;
using Weft.Tensors.Threading;
using Weft.Training.Ops;

namespace Weft.Training.Modeling;

public sealed class TrainingLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required Parameter<T> AttnNorm { get; init; }
    public required Projection<T> Q { get; init; }
    public required Projection<T> K { get; init; }
    public required Projection<T> V { get; init; }
    public required Projection<T> O { get; init; }
    public required Parameter<T> FfnNorm { get; init; }
    public required Projection<T> Gate { get; init; }
    public required Projection<T> Up { get; init; }
    public required Projection<T> Down { get; init; }

    public Projection<T> Get(LoraTarget t) => t switch
    {
        LoraTarget.Q => Q, LoraTarget.K => K, LoraTarget.V => V, LoraTarget.O => O,
        LoraTarget.Gate => Gate, LoraTarget.Up => Up, _ => Down,
    };
}

public sealed class TrainingModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public ModelConfig Config { get; }
    public WorkerPool? Pool { get; set; }
    public WeightMatrix<T> TokenEmbedding { get; }
    public TrainingLayer<T>[] Layers { get; }
    public Parameter<T> OutputNorm { get; }
    /// <summary>The output head; the same object as <see cref="TokenEmbedding"/> when the file ties them.</summary>
    public WeightMatrix<T> Output { get; }

    private readonly AttentionShape _attention;
    private RopeTable<T>? _rope;
    private Random _dropout;

    // Saved by Forward for Backward.
    private sealed class LayerState
    {
        public T[] X = [], Xn1 = [], Rstd1 = [], Q = [], K = [], V = [], Probs = [], Att = [], X1 = [], Xn2 = [], Rstd2 = [], Gate = [], Up = [], H = [];
    }

    private LayerState[] _states = [];
    private TokenBatch? _batch;
    private T[] _final = [], _finalNormed = [], _finalRstd = [];

    private TrainingModel(ModelConfig config, WeightMatrix<T> embedding, TrainingLayer<T>[] layers, Parameter<T> outputNorm, WeightMatrix<T> output, WorkerPool? pool)
    {
        Check(config);
        Config = config;
        TokenEmbedding = embedding;
        Layers = layers;
        OutputNorm = outputNorm;
        Output = output;
        Pool = pool;
        _attention = new AttentionShape(config.HeadCount, config.KvHeadCount, config.HeadDim, config.ValueHeadDim, config.AttentionScale);
        _dropout = new Random(1);
    }

    private static void Check(ModelConfig c)
    {
        if (c.Norm != NormKind.Rms) throw new UnsupportedModelException($"training supports RMSNorm models; {c.Architecture} uses layer norm");
        if (c.ExpertCount > 0) throw new UnsupportedModelException("training does not support mixture-of-experts models yet");
        if (c.SlidingWindow > 0) throw new UnsupportedModelException("training does not support sliding-window attention yet");
    }

    /// <summary>Every distinct parameter (a tied output head is listed once).</summary>
    public IReadOnlyList<Parameter<T>> Parameters
    {
        get
        {
            var list = new List<Parameter<T>>();
            if (TokenEmbedding.Dense != null) list.Add(TokenEmbedding.Dense);
            foreach (var l in Layers)
            {
                list.Add(l.AttnNorm);
                foreach (var p in new[] { l.Q, l.K, l.V, l.O }) Add(list, p);
                list.Add(l.FfnNorm);
                foreach (var p in new[] { l.Gate, l.Up, l.Down }) Add(list, p);
            }
            list.Add(OutputNorm);
            if (Output.Dense != null && !ReferenceEquals(Output, TokenEmbedding)) list.Add(Output.Dense);
            return list;

            static void Add(List<Parameter<T>> list, Projection<T> p)
            {
                if (p.Weight.Dense != null) list.Add(p.Weight.Dense);
                if (p.Lora != null) { list.Add(p.Lora.A); list.Add(p.Lora.B); }
            }
        }
    }

    public IReadOnlyList<Parameter<T>> TrainableParameters => Parameters.Where(p => p.Trainable).ToList();

    public IReadOnlyList<LoraFactors<T>> LoraFactors =>
        Layers.SelectMany(l => Enum.GetValues<LoraTarget>().Select(t => l.Get(t).Lora)).OfType<LoraFactors<T>>().ToList();

    /// <summary>Restarts the dropout masks' random sequence (a trainer calls it each step so a resumed run draws the same masks).</summary>
    public void SeedDropout(int seed) => _dropout = new Random(seed);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Every weight dequantized into trainable float arrays (full training).</summary>
    public static TrainingModel<T> FromModel(Model model, WorkerPool? pool = null)
    {
        var w = model.Weights;
        var c = Supported(model.Config);
        var embedding = Dense(TensorNames.TokenEmbedding, w.TokenEmbedding, true);
        var layers = new TrainingLayer<T>[c.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            var lw = Layer(w.Layers[l]);
            layers[l] = new TrainingLayer<T>
            {
                AttnNorm = Vector(TensorNames.AttnNorm(l), lw.AttnNorm, true),
                Q = new(Dense(TensorNames.AttnQ(l), lw.Q, true)),
                K = new(Dense(TensorNames.AttnK(l), lw.K, true)),
                V = new(Dense(TensorNames.AttnV(l), lw.V, true)),
                O = new(Dense(TensorNames.AttnOutput(l), lw.O, true)),
                FfnNorm = Vector(TensorNames.FfnNorm(l), lw.FfnNorm, true),
                Gate = new(Dense(TensorNames.FfnGate(l), lw.Gate, true)),
                Up = new(Dense(TensorNames.FfnUp(l), lw.Up, true)),
                Down = new(Dense(TensorNames.FfnDown(l), lw.Down, true)),
            };
        }
        var output = Tied(w) ? embedding : Dense(TensorNames.Output, w.Output, true);
        return new TrainingModel<T>(c, embedding, layers, Vector(TensorNames.OutputNorm, w.OutputNorm, true), output, pool);
    }

    /// <summary>The base frozen in its GGUF type (the model must outlive this object), LoRA factors on the chosen projections.</summary>
    public static TrainingModel<T> WithLora(Model model, LoraOptions options, WorkerPool? pool = null)
    {
        var w = model.Weights;
        var c = Supported(model.Config);
        var rng = new Random(options.Seed);
        var embedding = new WeightMatrix<T>(TensorNames.TokenEmbedding, w.TokenEmbedding);
        var layers = new TrainingLayer<T>[c.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            var lw = Layer(w.Layers[l]);
            layers[l] = new TrainingLayer<T>
            {
                AttnNorm = Vector(TensorNames.AttnNorm(l), lw.AttnNorm, false),
                Q = new(new(TensorNames.AttnQ(l), lw.Q)),
                K = new(new(TensorNames.AttnK(l), lw.K)),
                V = new(new(TensorNames.AttnV(l), lw.V)),
                O = new(new(TensorNames.AttnOutput(l), lw.O)),
                FfnNorm = Vector(TensorNames.FfnNorm(l), lw.FfnNorm, false),
                Gate = new(new(TensorNames.FfnGate(l), lw.Gate)),
                Up = new(new(TensorNames.FfnUp(l), lw.Up)),
                Down = new(new(TensorNames.FfnDown(l), lw.Down)),
            };
            foreach (var t in Enum.GetValues<LoraTarget>())
            {
                if (!options.Targets.Contains(t)) continue;
                var p = layers[l].Get(t);
                p.Lora = new LoraFactors<T>(p.Weight.Name, p.Out, p.In, options.Rank, options.Alpha, options.Dropout, rng);
            }
        }
        var output = Tied(w) ? embedding : new WeightMatrix<T>(TensorNames.Output, w.Output);
        var model2 = new TrainingModel<T>(c, embedding, layers, Vector(TensorNames.OutputNorm, w.OutputNorm, false), output, pool);
        model2._dropout = new Random(options.Seed ^ 0x5eed);
        return model2;
    }

    /// <summary>Random trainable weights for <paramref name="c"/> (std 1/√fan-in; norms 1; embeddings std 1).</summary>
    public static TrainingModel<T> CreateRandom(ModelConfig c, int seed, WorkerPool? pool = null)
    {
        var rng = new Random(seed);
        int d = c.EmbeddingLength;
        WeightMatrix<T> M(string name, int rows, int cols, double std)
        {
            var v = new T[rows * cols];
            for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating(std * Modeling.LoraFactors<T>.Gaussian(rng));
            return new WeightMatrix<T>(new Parameter<T>(name, [rows, cols], v, true));
        }
        Parameter<T> N(string name) => new(name, [d], Enumerable.Repeat(T.One, d).ToArray(), true);
        var layers = new TrainingLayer<T>[c.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l] = new TrainingLayer<T>
            {
                AttnNorm = N(TensorNames.AttnNorm(l)),
                Q = new(M(TensorNames.AttnQ(l), c.QueryWidth, d, 1 / Math.Sqrt(d))),
                K = new(M(TensorNames.AttnK(l), c.KeyWidth, d, 1 / Math.Sqrt(d))),
                V = new(M(TensorNames.AttnV(l), c.ValueWidth, d, 1 / Math.Sqrt(d))),
                O = new(M(TensorNames.AttnOutput(l), d, c.HeadCount * c.ValueHeadDim, 1 / Math.Sqrt(c.HeadCount * c.ValueHeadDim))),
                FfnNorm = N(TensorNames.FfnNorm(l)),
                Gate = new(M(TensorNames.FfnGate(l), c.FeedForwardLength, d, 1 / Math.Sqrt(d))),
                Up = new(M(TensorNames.FfnUp(l), c.FeedForwardLength, d, 1 / Math.Sqrt(d))),
                Down = new(M(TensorNames.FfnDown(l), d, c.FeedForwardLength, 1 / Math.Sqrt(c.FeedForwardLength))),
            };
        }
        var embedding = M(TensorNames.TokenEmbedding, c.VocabSize, d, 1);
        var output = M(TensorNames.Output, c.VocabSize, d, 1 / Math.Sqrt(d));
        return new TrainingModel<T>(c, embedding, layers, N(TensorNames.OutputNorm), output, pool);
    }

    /// <summary>The configuration, when this trainer implements every part of it (the llama block).</summary>
    private static ModelConfig Supported(ModelConfig c)
    {
        string? missing = c.Norm != NormKind.Rms ? "LayerNorm"
            : c.SlidingWindow > 0 ? "sliding-window attention"
            : c.AttentionSoftCap != 0 || c.FinalSoftCap != 0 ? "logit soft-capping"
            : c.EmbeddingScale != 1f ? "scaled embeddings"
            : c.ClampKqv != 0 ? "clamped Q/K/V"
            : !c.GatedFfn || c.Activation != FfnActivation.Silu ? "a feed-forward other than SwiGLU"
            : c.ParallelResidual ? "parallel attention and feed-forward"
            : c.ExpertCount > 0 ? "mixture of experts"
            : null;
        return missing == null ? c : throw new UnsupportedModelException($"training does not support {missing} ({c.Architecture}) yet");
    }

    private static LayerWeights Layer(LayerWeights lw)
    {
        if (lw.QBias != null || lw.KBias != null || lw.VBias != null || lw.OBias != null)
            throw new UnsupportedModelException("training does not support projection biases yet");
        if (lw.AttnNorm2 != null || lw.QNorm != null || lw.KNorm != null || lw.PostAttnNorm != null || lw.PostFfnNorm != null)
            throw new UnsupportedModelException("training supports the llama block only (one RMSNorm before attention and one before the feed-forward)");
        if (lw.GateExperts != null)
            throw new UnsupportedModelException("training does not support mixture-of-experts models yet");
        if (lw.Gate.IsEmpty || lw.Up.IsEmpty || lw.Down.IsEmpty)
            throw new UnsupportedModelException("training needs a gated (SwiGLU) feed-forward block");
        return lw;
    }

    private static unsafe bool Tied(DecoderWeights w) => w.Output.Data == w.TokenEmbedding.Data;

    private static WeightMatrix<T> Dense(string name, QMatrix m, bool trainable)
    {
        var v = new T[(long)m.Rows * m.Cols];
        var f = new float[m.Cols];
        for (int r = 0; r < m.Rows; r++)
        {
            m.DequantizeRow(r, f);
            Numbers.Convert<T>(f, v.AsSpan(r * m.Cols, m.Cols));
        }
        return new WeightMatrix<T>(new Parameter<T>(name, [m.Rows, m.Cols], v, trainable));
    }

    private static Parameter<T> Vector(string name, float[] v, bool trainable) => new(name, [v.Length], Numbers.From<T>(v), trainable);

    /// <summary>An RMSNorm weight; norms without weight or with a bias (LayerNorm families) are not trainable here yet.</summary>
    private static Parameter<T> Vector(string name, NormWeights? n, bool trainable) =>
        n is { Weight: { } weight, Bias: null } ? Vector(name, weight, trainable)
            : throw new UnsupportedModelException($"training supports RMSNorm with a weight only; '{name}' is a different norm");

    private RopeTable<T> RopeFor(TokenBatch batch)
    {
        int needed = batch.Positions.Length == 0 ? 1 : batch.Positions.Max() + 1;
        if (_rope == null || _rope.Positions < needed)
            _rope = new RopeTable<T>(Config.Rope, Config.RopeStyle, Math.Max(needed, Math.Min(Config.TrainContextLength, 4096)));
        return _rope;
    }

    /// <summary>Logits [n, vocab] for every input of the batch; keeps what <see cref="Backward"/> needs.</summary>
    /// <param name="training">applies LoRA dropout.</param>
    public T[] Forward(TokenBatch batch, bool training = false)
    {
        var c = Config;
        int n = batch.Count, d = c.EmbeddingLength, qw = c.QueryWidth, kw = c.KeyWidth, vw = c.ValueWidth, aw = c.HeadCount * c.ValueHeadDim, ff = c.FeedForwardLength;
        var rope = RopeFor(batch);
        var drop = training ? _dropout : null;
        var x = new T[n * d];
        for (int i = 0; i < n; i++) TokenEmbedding.Row(batch.Inputs[i], x.AsSpan(i * d, d));
        _states = new LayerState[Layers.Length];
        for (int l = 0; l < Layers.Length; l++)
        {
            var L = Layers[l];
            var s = _states[l] = new LayerState { X = x, Xn1 = new T[n * d], Rstd1 = new T[n], Q = new T[n * qw], K = new T[n * kw], V = new T[n * vw] };
            RmsNorm.Forward<T>(x, L.AttnNorm.Value, c.NormEpsilon, n, s.Xn1, s.Rstd1);
            L.Q.Forward(Pool, s.Xn1, n, s.Q, drop);
            L.K.Forward(Pool, s.Xn1, n, s.K, drop);
            L.V.Forward(Pool, s.Xn1, n, s.V, drop);
            RopeOp.Forward<T>(s.Q, n, c.HeadDim, batch.Positions, rope);
            RopeOp.Forward<T>(s.K, n, c.HeadDim, batch.Positions, rope);
            s.Probs = new T[CausalAttention.ProbabilityCount(batch.Segments, c.HeadCount)];
            s.Att = new T[n * aw];
            CausalAttention.Forward(Pool, _attention, batch.Segments, s.Q, s.K, s.V, s.Att, s.Probs);
            var o = new T[n * d];
            L.O.Forward(Pool, s.Att, n, o, drop);
            s.X1 = new T[n * d];
            Residual.Forward<T>(x, o, s.X1);
            s.Xn2 = new T[n * d];
            s.Rstd2 = new T[n];
            RmsNorm.Forward<T>(s.X1, L.FfnNorm.Value, c.NormEpsilon, n, s.Xn2, s.Rstd2);
            s.Gate = new T[n * ff];
            s.Up = new T[n * ff];
            s.H = new T[n * ff];
            L.Gate.Forward(Pool, s.Xn2, n, s.Gate, drop);
            L.Up.Forward(Pool, s.Xn2, n, s.Up, drop);
            SwiGlu.Forward<T>(s.Gate, s.Up, s.H);
            var down = new T[n * d];
            L.Down.Forward(Pool, s.H, n, down, drop);
            x = new T[n * d];
            Residual.Forward<T>(s.X1, down, x);
        }
        _final = x;
        _finalNormed = new T[n * d];
        _finalRstd = new T[n];
        var logits = new T[n * c.VocabSize];
        OutputHead.Forward(Pool, x, OutputNorm.Value, c.NormEpsilon, Output, n, _finalNormed, _finalRstd, logits);
        _batch = batch;
        return logits;
    }

    /// <summary>Accumulates every trainable parameter's gradient for dL/dlogits of the last <see cref="Forward"/>.</summary>
    public void Backward(T[] dLogits)
    {
        var batch = _batch ?? throw new InvalidOperationException("Backward needs a Forward first");
        var c = Config;
        int n = batch.Count, d = c.EmbeddingLength, qw = c.QueryWidth, kw = c.KeyWidth, vw = c.ValueWidth, aw = c.HeadCount * c.ValueHeadDim, ff = c.FeedForwardLength;
        var rope = RopeFor(batch);
        var dx = new T[n * d];
        OutputHead.Backward(Pool, dLogits, _final, OutputNorm.Value, OutputNorm.Grad, Output, _finalNormed, _finalRstd, n, dx);
        for (int l = Layers.Length - 1; l >= 0; l--)
        {
            var L = Layers[l];
            var s = _states[l];
            // x2 = x1 + down(swiglu(gate(n2), up(n2))), n2 = norm(x1)
            var dX1 = new T[n * d];
            var dDown = new T[n * d];
            Residual.Backward<T>(dx, dX1, dDown);
            var dH = new T[n * ff];
            L.Down.Backward(Pool, dDown, s.H, n, dH);
            var dGate = new T[n * ff];
            var dUp = new T[n * ff];
            SwiGlu.Backward<T>(dH, s.Gate, s.Up, dGate, dUp);
            var dXn2 = new T[n * d];
            L.Gate.Backward(Pool, dGate, s.Xn2, n, dXn2);
            L.Up.Backward(Pool, dUp, s.Xn2, n, dXn2);
            RmsNorm.Backward<T>(dXn2, s.X1, L.FfnNorm.Value, s.Rstd2, n, dX1, L.FfnNorm.Grad ?? []);
            // x1 = x + o(attention(rope(q(n1)), rope(k(n1)), v(n1))), n1 = norm(x)
            var dX = new T[n * d];
            var dO = new T[n * d];
            Residual.Backward<T>(dX1, dX, dO);
            var dAtt = new T[n * aw];
            L.O.Backward(Pool, dO, s.Att, n, dAtt);
            var dQ = new T[n * qw];
            var dK = new T[n * kw];
            var dV = new T[n * vw];
            CausalAttention.Backward(Pool, _attention, batch.Segments, s.Q, s.K, s.V, s.Probs, dAtt, dQ, dK, dV);
            RopeOp.Backward<T>(dQ, n, c.HeadDim, batch.Positions, rope);
            RopeOp.Backward<T>(dK, n, c.HeadDim, batch.Positions, rope);
            var dXn1 = new T[n * d];
            L.Q.Backward(Pool, dQ, s.Xn1, n, dXn1);
            L.K.Backward(Pool, dK, s.Xn1, n, dXn1);
            L.V.Backward(Pool, dV, s.Xn1, n, dXn1);
            RmsNorm.Backward<T>(dXn1, s.X, L.AttnNorm.Value, s.Rstd1, n, dX, L.AttnNorm.Grad ?? []);
            dx = dX;
        }
        if (TokenEmbedding.Dense?.Grad is { } dEmb) Embedding.Backward<T>(dx, d, batch.Inputs, dEmb);
    }

    /// <summary>Mean masked cross-entropy of the batch, without gradients.</summary>
    public double Loss(TokenBatch batch)
    {
        var logits = Forward(batch);
        return CrossEntropy.Forward<T>(logits, Config.VocabSize, batch.Targets, batch.Mask).Loss;
    }

    /// <summary>Mean loss per masked token over <paramref name="examples"/>, evaluated <paramref name="batchSize"/> at a time.</summary>
    public double MeanLoss(IReadOnlyList<TrainingExample> examples, int batchSize = 8)
    {
        double sum = 0;
        long count = 0;
        foreach (var chunk in examples.Chunk(Math.Max(1, batchSize)))
        {
            var batch = TokenBatch.From(chunk);
            int n = batch.LossTokens;
            if (n == 0) continue;
            sum += Loss(batch) * n;
            count += n;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>Forward, loss and backward: gradients of gradScale × the mean masked loss are added to the parameters'.</summary>
    public double ForwardBackward(TokenBatch batch, double gradScale = 1, bool training = true)
    {
        var logits = Forward(batch, training);
        var dLogits = new T[logits.Length];
        var (loss, _) = CrossEntropy.Forward<T>(logits, Config.VocabSize, batch.Targets, batch.Mask, dLogits, gradScale);
        Backward(dLogits);
        return loss;
    }
}
