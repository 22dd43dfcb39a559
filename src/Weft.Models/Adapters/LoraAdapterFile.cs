// A LoRA adapter file in llama.cpp's layout (general.type "adapter", adapter.type "lora", adapter.lora.alpha; per
// adapted weight W, "<W>.lora_a" ne [in, rank] and "<W>.lora_b" ne [rank, out]), mapped and checked; the factors are
// read in place. See llama.cpp's src/llama-adapter.cpp (llama_adapter_lora_init_impl) for the same rules.
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;

namespace Weft.Models.Adapters;

/// <summary>The factors of one adapted weight: A [rank, in] (GGUF ne [in, rank]), B [out, rank] (ne [rank, out]).</summary>
public sealed record LoraPair(string Weight, GgufTensorInfo A, GgufTensorInfo B)
{
    public int Rank => (int)A.Shape[1];
    public int In => (int)A.Shape[0];
    public int Out => (int)B.Shape[1];
}

public sealed unsafe class LoraAdapterFile : IDisposable
{
    private readonly GgufFile _file;

    private LoraAdapterFile(GgufFile file)
    {
        _file = file;
        string where = file.Path;
        string type = file.TryGet(MetadataKeys.GeneralType, out var t) ? t.AsString(MetadataKeys.GeneralType) : "model";
        if (type != "adapter")
            throw new AdapterException($"{where} is not a LoRA adapter: {MetadataKeys.GeneralType} is '{type}', expected 'adapter' (is it a model file?)");
        string kind = file.TryGet(MetadataKeys.AdapterType, out var k) ? k.AsString(MetadataKeys.AdapterType) : "";
        if (kind != "lora")
            throw new AdapterException($"{where}: {MetadataKeys.AdapterType} is '{kind}', expected 'lora' (only LoRA adapters are supported)");
        Architecture = file.Get(MetadataKeys.Architecture).AsString(MetadataKeys.Architecture);
        Alpha = (float)file.Get(MetadataKeys.AdapterLoraAlpha).AsDouble(MetadataKeys.AdapterLoraAlpha);
        Pairs = ReadPairs(file);
        if (Pairs.Count == 0) throw new AdapterException($"{where}: the adapter holds no LoRA factors");
    }

    public string Path => _file.Path;
    public string Architecture { get; }
    public float Alpha { get; }
    public IReadOnlyList<LoraPair> Pairs { get; }

    /// <summary>Opens and checks an adapter file: ModelFormatException when it is no valid GGUF, AdapterException when it is no LoRA adapter.</summary>
    public static LoraAdapterFile Open(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            return new LoraAdapterFile(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The factor of the update of one pair: user scale × alpha / rank, or the user scale alone when alpha is 0 (as llama.cpp computes it).</summary>
    public float Scale(LoraPair pair, float userScale) => Alpha != 0 ? userScale * Alpha / pair.Rank : userScale;

    /// <summary>A as a matrix [rank, in], viewed in the mapping.</summary>
    public QMatrix MatrixA(LoraPair p) => new(_file.DataPointer(p.A), p.A.Type, p.Rank, p.In);

    /// <summary>B as a matrix [out, rank], viewed in the mapping.</summary>
    public QMatrix MatrixB(LoraPair p) => new(_file.DataPointer(p.B), p.B.Type, p.Out, p.Rank);

    /// <summary>Null when every pair adapts a weight of <paramref name="model"/> of its shape (and the architectures agree), else why not.</summary>
    public string? Mismatch(ModelSource model)
    {
        string arch = model.TryGet(MetadataKeys.Architecture, out var a) ? a.AsString(MetadataKeys.Architecture) : "";
        if (arch != Architecture)
            return $"the adapter {Path} is for architecture '{Architecture}', the base model {model.Path} is '{arch}'";
        foreach (var p in Pairs)
        {
            var w = model.FindTensor(p.Weight);
            if (w == null) return $"the adapter {Path} adapts '{p.Weight}', which the base model {model.Path} does not have (is it the adapter of another model?)";
            if (w.Shape.Length != 2 || w.Shape[0] != p.In || w.Shape[1] != p.Out)
                return $"the adapter {Path} does not fit '{p.Weight}': its factors {p.A.Name} {p.A.ShapeText} and {p.B.Name} {p.B.ShapeText} "
                    + $"make ne [{p.In}, {p.Out}], the base model's tensor is ne {w.ShapeText}";
        }
        return null;
    }

    /// <summary>Throws AdapterException unless <see cref="Mismatch"/> finds nothing.</summary>
    public void CheckFits(ModelSource model)
    {
        if (Mismatch(model) is string problem) throw new AdapterException(problem);
    }

    /// <summary>Pairs ".lora_a" with ".lora_b" tensors; each pair 2-D, ranks agreeing, rows whole blocks of their type.</summary>
    private static List<LoraPair> ReadPairs(GgufFile file)
    {
        var a = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        var b = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        foreach (var t in file.Tensors)
        {
            if (t.Name.EndsWith(TensorNames.LoraASuffix, StringComparison.Ordinal)) a[t.Name[..^TensorNames.LoraASuffix.Length]] = t;
            else if (t.Name.EndsWith(TensorNames.LoraBSuffix, StringComparison.Ordinal)) b[t.Name[..^TensorNames.LoraBSuffix.Length]] = t;
            else throw new AdapterException($"{file.Path}: tensor '{t.Name}' is neither '{TensorNames.LoraASuffix}' nor '{TensorNames.LoraBSuffix}'");
        }
        var pairs = new List<LoraPair>();
        foreach (var (weight, ta) in a)
        {
            if (!b.TryGetValue(weight, out var tb)) throw new AdapterException($"{file.Path}: '{ta.Name}' has no '{TensorNames.LoraB(weight)}'");
            if (ta.Shape.Length != 2 || tb.Shape.Length != 2 || ta.Shape[1] != tb.Shape[0])
                throw new AdapterException($"{file.Path}: the factors of '{weight}' do not chain: {ta.Name} is ne {ta.ShapeText} and {tb.Name} ne {tb.ShapeText}, "
                    + "expected [in, rank] and [rank, out]");
            foreach (var t in new[] { ta, tb })
            {
                if (!QuantRegistry.IsSupported(t.Type) || t.RowLength % TypeTraits.Of(t.Type).BlockSize != 0)
                    throw new AdapterException($"{file.Path}: '{t.Name}' is stored as {TypeTraits.NameOf(t.Type)}, which cannot hold rows of {t.RowLength} values here (use F32 or F16)");
            }
            pairs.Add(new LoraPair(weight, ta, tb));
        }
        foreach (var weight in b.Keys)
            if (!a.ContainsKey(weight)) throw new AdapterException($"{file.Path}: '{TensorNames.LoraB(weight)}' has no '{TensorNames.LoraA(weight)}'");
        pairs.Sort((x, y) => string.CompareOrdinal(x.Weight, y.Weight));
        return pairs;
    }

    public void Dispose() => _file.Dispose();
}
