// The low-rank updates the forward pass adds, per layer and projection: y += scale·B(A x) for every adapter that
// adapts the projection's weight. Built once at load; the weights a forward pass cannot adapt are refused here.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Adapters;

/// <summary>The projections of a layer the forward pass can add a low-rank update to.</summary>
public enum LoraSlot { Q, K, V, O, Gate, Up, Down }

/// <summary>One update: A [rank, in], B [out, rank], viewed in the adapter's mapping; Scale = user scale × alpha / rank.</summary>
public readonly record struct LoraTerm(QMatrix A, QMatrix B, float Scale);

public sealed class LoraTerms
{
    private static readonly int SlotCount = Enum.GetValues<LoraSlot>().Length;
    private readonly LoraTerm[][] _layers; // [layer * SlotCount + slot]

    private LoraTerms(int layers)
    {
        _layers = new LoraTerm[layers * SlotCount][];
        for (int i = 0; i < _layers.Length; i++) _layers[i] = [];
    }

    public static LoraTerms None { get; } = new(0);

    public bool IsEmpty { get; private set; } = true;
    /// <summary>Updates of the output head (output.weight).</summary>
    public LoraTerm[] Output { get; private set; } = [];
    /// <summary>Largest rank and output width over every term: the forward pass's scratch sizes.</summary>
    public int MaxRank { get; private set; }
    public int MaxOut { get; private set; }

    public LoraTerm[] For(int layer, LoraSlot slot) => _layers[layer * SlotCount + (int)slot];

    /// <summary>The terms of <paramref name="adapters"/> on a model; each adapter must already fit the source (<see cref="LoraAdapterFile.CheckFits"/>).</summary>
    public static LoraTerms Build(ModelSource source, DecoderWeights weights, IReadOnlyList<(LoraAdapterFile File, float Scale)> adapters)
    {
        int layers = weights.Layers.Length;
        var terms = new LoraTerms(layers);
        var where = new Dictionary<string, (int Layer, LoraSlot Slot)>(StringComparer.Ordinal);
        for (int l = 0; l < layers; l++)
        {
            where[TensorNames.AttnQ(l)] = (l, LoraSlot.Q);
            where[TensorNames.AttnK(l)] = (l, LoraSlot.K);
            where[TensorNames.AttnV(l)] = (l, LoraSlot.V);
            where[TensorNames.AttnOutput(l)] = (l, LoraSlot.O);
            where[TensorNames.FfnGate(l)] = (l, LoraSlot.Gate);
            where[TensorNames.FfnUp(l)] = (l, LoraSlot.Up);
            where[TensorNames.FfnDown(l)] = (l, LoraSlot.Down);
        }
        foreach (var (file, scale) in adapters)
        {
            foreach (var p in file.Pairs)
            {
                var term = new LoraTerm(file.MatrixA(p), file.MatrixB(p), file.Scale(p, scale));
                QMatrix target;
                (int Layer, LoraSlot Slot) at = default;
                if (p.Weight == TensorNames.Output) target = weights.Output;
                else if (where.TryGetValue(p.Weight, out at))
                {
                    target = Matrix(weights.Layers[at.Layer], at.Slot);
                    if (source.RotateHalfQk && at.Slot is LoraSlot.Q or LoraSlot.K)
                        throw new AdapterException($"{file.Path} adapts '{p.Weight}', but {source.Path} keeps Hugging Face's rotate-half Q/K rows, which llama.cpp-layout adapters do not match; convert it first (weft convert)");
                }
                else throw new AdapterException($"{file.Path} adapts '{p.Weight}': Weft applies adapters at inference to attn_q/k/v/output, ffn_gate/up/down and output only (weft merge can bake it into the weights instead)");
                if (target.IsEmpty || target.Rows != p.Out || target.Cols != p.In)
                    throw new AdapterException($"{file.Path} adapts '{p.Weight}', which this model uses as part of a fused or shared tensor; apply it with weft merge instead");
                if (p.Weight == TensorNames.Output) terms.Output = [.. terms.Output, term];
                else
                {
                    int i = at.Layer * SlotCount + (int)at.Slot;
                    terms._layers[i] = [.. terms._layers[i], term];
                }
                terms.IsEmpty = false;
                terms.MaxRank = Math.Max(terms.MaxRank, p.Rank);
                terms.MaxOut = Math.Max(terms.MaxOut, p.Out);
            }
        }
        return terms;
    }

    private static QMatrix Matrix(LayerWeights lw, LoraSlot slot) => slot switch
    {
        LoraSlot.Q => lw.Q,
        LoraSlot.K => lw.K,
        LoraSlot.V => lw.V,
        LoraSlot.O => lw.O,
        LoraSlot.Gate => lw.Gate,
        LoraSlot.Up => lw.Up,
        _ => lw.Down,
    };
}
