// A Hugging Face checkpoint folder (config.json, safetensors weights, tokenizer files) seen as the GGUF file llama.cpp's
// converter would make of it: the same metadata and tensor names and shapes. Weights stay in the safetensors mapping;
// only what must change is materialised (Gemma's norms as 1 + w, Falcon's grouped QKV rows). Q/K rows stay in
// Hugging Face's rotate-half order (RotateHalfQk), so the engine runs them with NeoX-style rotary embeddings.
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Formats.Safetensors;
using Weft.Models.Loading;
using Weft.Tensors;
using Weft.Tensors.Quantization;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Models.Checkpoints;

public sealed unsafe partial class CheckpointSource : ModelSource
{
    private readonly SafetensorsCheckpoint _weights;
    private readonly List<nint> _owned = new();
    private readonly Dictionary<string, SourceTensor> _byName = new(StringComparer.Ordinal);
    private readonly List<SourceTensor> _tensors = new();
    private readonly Dictionary<string, GgufValue> _metadata = new(StringComparer.Ordinal);
    private readonly List<string> _keys = new();

    public override string Path { get; }
    public HfConfig Config { get; }
    public HfFamily Family { get; }
    public override IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;
    public override IReadOnlyList<string> MetadataKeys => _keys;
    public override IReadOnlyList<SourceTensor> Tensors => _tensors;
    public override bool RotateHalfQk => true;
    /// <summary>Each GGUF tensor name → the Hugging Face tensor(s) it came from, for messages.</summary>
    public IReadOnlyDictionary<string, string> Origins => _origins;
    private readonly Dictionary<string, string> _origins = new(StringComparer.Ordinal);

    private CheckpointSource(string folder, HfConfig config, HfFamily family, SafetensorsCheckpoint weights)
    {
        Path = folder;
        Config = config;
        Family = family;
        _weights = weights;
    }

    public override SourceTensor? FindTensor(string name) => _byName.GetValueOrDefault(name);

    public static new CheckpointSource Open(string folder)
    {
        folder = System.IO.Path.TrimEndingDirectorySeparator(folder);
        var config = HfConfig.Read(folder);
        var family = HfFamilies.Get(config);
        string name = System.IO.Path.GetFileName(folder);
        var meta = HfFamilies.Metadata(family, config, name);
        HfTokenizer tokenizer;
        try
        {
            tokenizer = HfTokenizerFiles.Read(folder, name);
        }
        catch (TokenizerFileException e)
        {
            throw new ModelFormatException(e.Message);
        }
        var weights = SafetensorsCheckpoint.Open(folder);
        var source = new CheckpointSource(folder, config, family, weights);
        try
        {
            foreach (var kv in meta.Items) source.AddMeta(kv.Key, kv.Value);
            foreach (var kv in TokenizerMetadata.ToGguf(tokenizer.Spec, tokenizer.ChatTemplate)) source.AddMeta(kv.Key, kv.Value);
            source.MapTensors();
            source.AddComputed();
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private void AddMeta(string key, GgufValue value)
    {
        if (_metadata.TryAdd(key, value)) _keys.Add(key);
        else _metadata[key] = value;
    }

    [GeneratedRegex(@"^(?<layer>\d+)\.(?<rest>.+)\.(?<kind>weight|bias)$")]
    private static partial Regex LayerTensor();

    [GeneratedRegex(@"^(?<layer>\d+)\.block_sparse_moe\.experts\.(?<expert>\d+)\.(?<w>w1|w2|w3)\.weight$")]
    private static partial Regex ExpertTensor();

    private void MapTensors()
    {
        var experts = new SortedDictionary<(int Layer, string W), SortedDictionary<int, (SafetensorsFile, SafetensorsTensor)>>();
        foreach (string hf in _weights.TensorNames.Order(StringComparer.Ordinal))
        {
            var (file, t) = _weights.Find(hf)!.Value;
            if (hf.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)) continue; // a buffer, recomputed from the config
            if (hf.StartsWith(Family.LayerPrefix, StringComparison.Ordinal))
            {
                string rest = hf[Family.LayerPrefix.Length..];
                if (Family.Experts && ExpertTensor().Match(rest) is { Success: true } em)
                {
                    var key = (int.Parse(em.Groups["layer"].Value), em.Groups["w"].Value);
                    if (!experts.TryGetValue(key, out var set)) experts[key] = set = new();
                    set[int.Parse(em.Groups["expert"].Value)] = (file, t);
                    continue;
                }
                if (LayerTensor().Match(rest) is { Success: true } m
                    && Family.Layer.TryGetValue(m.Groups["rest"].Value, out var gguf))
                {
                    string name = gguf(int.Parse(m.Groups["layer"].Value));
                    if (m.Groups["kind"].Value == "bias") name = name[..^".weight".Length] + ".bias";
                    Add(name, file, t);
                    continue;
                }
            }
            else
            {
                foreach (string kind in (ReadOnlySpan<string>)[".weight", ".bias"])
                    if (hf.EndsWith(kind, StringComparison.Ordinal) && Family.Globals.TryGetValue(hf[..^kind.Length], out var g))
                    {
                        Add(kind == ".bias" ? g[..^".weight".Length] + ".bias" : g, file, t);
                        goto next;
                    }
            }
            throw new UnsupportedModelException($"{file.Path}: tensor '{hf}' has no GGUF counterpart for model_type '{Config.String("model_type")}'");
        next:;
        }
        AddExperts(experts);
    }

    /// <summary>The tensors the converter computes from config.json (rope frequency factors), in F32.</summary>
    private void AddComputed()
    {
        foreach (var (name, values) in Family.ComputedTensors(Config))
        {
            string where = $"computed from 'rope_scaling' in {Config.Path}";
            if (_byName.ContainsKey(name))
                throw new ModelFormatException($"{Config.Path}: '{name}' is computed from 'rope_scaling', but {_origins[name]} also maps to it");
            var s = new SourceTensor(name, GgmlType.F32, [values.Length], [Own(MemoryMarshal.AsBytes(values.AsSpan()))], values.Length * 4L, where);
            _byName[name] = s;
            _origins[name] = where;
            _tensors.Add(s);
        }
    }

    private static GgmlType TypeOf(SafetensorsFile file, SafetensorsTensor t) =>
        SafetensorsDtypes.ToGgml(t.Dtype) ?? throw new UnsupportedModelException(
            $"{file.Path}: tensor '{t.Name}' has dtype {t.Dtype}; weights must be F32, F16 or BF16");

    private static long[] GgmlShape(SafetensorsTensor t) => t.Shape.Length == 0 ? [1] : t.Shape.Reverse().ToArray();

    private void Add(string name, SafetensorsFile file, SafetensorsTensor t)
    {
        var type = TypeOf(file, t);
        var shape = GgmlShape(t);
        string where = $"from '{t.Name}' in {file.Path}";
        if (t.Shape.Length > 0 && t.ElementCount > 0 && shape[0] % TypeTraits.Of(type).BlockSize != 0)
            throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' has rows of {shape[0]} elements");
        nint data = (nint)file.DataPointer(t);
        long bytes = t.ByteSize;
        if (Family.NormPlusOne && name.EndsWith("norm.weight", StringComparison.Ordinal) && shape.Length == 1)
        {
            // Gemma applies its norms as 1 + w; GGUF (and the engine) store the sum, in F32.
            var values = new float[shape[0]];
            QuantRegistry.Get(type).Dequantize(new ReadOnlySpan<byte>((void*)data, (int)bytes), values);
            for (int i = 0; i < values.Length; i++) values[i] += 1f;
            data = Own(MemoryMarshal.AsBytes(values.AsSpan()));
            bytes = values.Length * 4L;
            type = GgmlType.F32;
        }
        else if (Family.GroupedQkv && name.EndsWith("attn_qkv.weight", StringComparison.Ordinal))
        {
            data = RegroupQkv(file, t, data, shape);
        }
        var s = new SourceTensor(name, type, shape, [data], bytes, where);
        if (!_byName.TryAdd(name, s))
            throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' maps to '{name}', which {_origins[name]} already is");
        _origins[name] = $"'{t.Name}' in {file.Path}";
        _tensors.Add(s);
    }

    /// <summary>Falcon's rows [group][q heads per group + 2][head dim] → all q rows, then k, then v (a copy).</summary>
    private nint RegroupQkv(SafetensorsFile file, SafetensorsTensor t, nint data, long[] shape)
    {
        string a = Family.Architecture;
        int heads = (int)_metadata[Models.MetadataKeys.HeadCount(a)].AsInt64("heads");
        int kv = (int)_metadata[Models.MetadataKeys.HeadCountKv(a)].AsInt64("kv heads");
        int hd = (int)(_metadata[Models.MetadataKeys.EmbeddingLength(a)].AsInt64("embd") / heads);
        long rows = shape[1];
        if (kv <= 0 || heads % kv != 0 || rows != (long)(heads + 2 * kv) * hd)
            throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' has shape {string.Join("x", t.Shape)}, which does not fit {heads} query and {kv} key/value heads of width {hd} ({HfConfig.FileName})");
        long rowBytes = t.ByteSize / rows;
        int perGroup = heads / kv;
        var dst = (byte*)NativeMemory.AlignedAlloc((nuint)t.ByteSize, 64);
        _owned.Add((nint)dst);
        var src = (byte*)data;
        long o = 0;
        void Copy(int g, int slot)
        {
            long from = ((long)g * (perGroup + 2) + slot) * hd * rowBytes;
            Buffer.MemoryCopy(src + from, dst + o, hd * rowBytes, hd * rowBytes);
            o += hd * rowBytes;
        }
        for (int g = 0; g < kv; g++) for (int j = 0; j < perGroup; j++) Copy(g, j);
        for (int g = 0; g < kv; g++) Copy(g, perGroup);
        for (int g = 0; g < kv; g++) Copy(g, perGroup + 1);
        return (nint)dst;
    }

    private void AddExperts(SortedDictionary<(int Layer, string W), SortedDictionary<int, (SafetensorsFile File, SafetensorsTensor Tensor)>> experts)
    {
        if (experts.Count == 0) return;
        string a = Family.Architecture;
        int n = _metadata.TryGetValue(Models.MetadataKeys.ExpertCount(a), out var ec) ? (int)ec.AsInt64("experts") : 0;
        foreach (var ((layer, w), set) in experts)
        {
            var first = set.Values.First();
            for (int e = 0; e < n; e++)
                if (!set.ContainsKey(e))
                    throw new ModelFormatException($"{first.File.Path}: expert tensor '{Family.LayerPrefix}{layer}.block_sparse_moe.experts.{e}.{w}.weight' is missing ({HfConfig.FileName} declares {n} experts)");
            if (set.Count != n)
                throw new ModelFormatException($"{first.File.Path}: layer {layer} has {set.Count} '{w}' experts, but {HfConfig.FileName} declares {n}");
            var type = TypeOf(first.File, first.Tensor);
            foreach (var (f, t) in set.Values)
                if (!t.Shape.SequenceEqual(first.Tensor.Shape) || t.Dtype != first.Tensor.Dtype)
                    throw new ModelFormatException($"{f.Path}: expert tensor '{t.Name}' has shape {t.ShapeText} and dtype {t.Dtype}, unlike '{first.Tensor.Name}' ({first.Tensor.ShapeText}, {first.Tensor.Dtype})");
            string name = w switch
            {
                "w1" => TensorNames.FfnGateExperts(layer),
                "w2" => TensorNames.FfnDownExperts(layer),
                _ => TensorNames.FfnUpExperts(layer),
            };
            var shape = GgmlShape(first.Tensor).Append(n).ToArray();
            var parts = set.Values.Select(x => (nint)x.File.DataPointer(x.Tensor)).ToArray();
            var s = new SourceTensor(name, type, shape, parts, first.Tensor.ByteSize,
                $"from '{Family.LayerPrefix}{layer}.block_sparse_moe.experts.*.{w}.weight' in {first.File.Path}");
            _byName[name] = s;
            _origins[name] = s.Where;
            _tensors.Add(s);
        }
    }

    private nint Own(ReadOnlySpan<byte> bytes)
    {
        var p = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes.Length, 1), 64);
        _owned.Add((nint)p);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return (nint)p;
    }

    public override void Dispose()
    {
        _weights.Dispose();
        foreach (var p in _owned) NativeMemory.AlignedFree((void*)p);
        _owned.Clear();
    }
}
