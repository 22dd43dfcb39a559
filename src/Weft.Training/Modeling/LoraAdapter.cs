// LoRA adapters as GGUF files in the layout llama.cpp's llama_adapter_lora_init accepts: general.type "adapter",
// general.architecture = the base's, adapter.type "lora", adapter.lora.alpha; for each adapted weight W (ne [in, out])
// F32 tensors "<W>.lora_a" ne [in, rank] and "<W>.lora_b" ne [rank, out]; applied as W x + alpha/rank · B(A x).
using System.Numerics;
using System.Runtime.InteropServices;
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Formats;
using Weft.Tensors;
using Weft.Training.Ops;

namespace Weft.Training.Modeling;

public static class LoraAdapter
{
    public const string SuffixA = TensorNames.LoraASuffix;
    public const string SuffixB = TensorNames.LoraBSuffix;
    public const string GeneralTypeKey = MetadataKeys.GeneralType;
    public const string AdapterTypeKey = MetadataKeys.AdapterType;
    public const string AlphaKey = MetadataKeys.AdapterLoraAlpha;

    /// <summary>Writes the model's LoRA factors (temp file, then rename).</summary>
    public static void Write<T>(string path, TrainingModel<T> model, string? name = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        Write(path, model.Config.Architecture, model.LoraFactors, name);

    public static void Write<T>(string path, string architecture, IReadOnlyList<LoraFactors<T>> factors, string? name = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (factors.Count == 0) throw new ArgumentException("the model has no LoRA factors to write");
        float alpha = factors[0].Alpha;
        if (factors.Any(f => f.Alpha != alpha)) throw new ArgumentException("one adapter file holds a single alpha; the factors disagree");
        var w = new GgufWriter();
        w.Set(MetadataKeys.Architecture, architecture);
        w.Set(GeneralTypeKey, "adapter");
        if (name != null) w.Set(MetadataKeys.Name, name);
        w.Set(AdapterTypeKey, "lora");
        w.Set(AlphaKey, alpha);
        foreach (var f in factors)
        {
            int rank = f.Rank, cols = f.A.Shape[1], rows = f.B.Shape[0];
            w.AddTensorF32(f.A.Name, [cols, rank], Numbers.ToFloat<T>(f.A.Value));
            w.AddTensorF32(f.B.Name, [rank, rows], Numbers.ToFloat<T>(f.B.Value));
        }
        w.Write(path);
    }

    /// <summary>Loads an adapter file into a LoRA model's factors (matched by name, shapes checked), e.g. to resume or evaluate.</summary>
    public static void Load<T>(string path, TrainingModel<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var file = GgufFile.Open(path);
        string type = file.TryGet(GeneralTypeKey, out var t) ? t.AsString(GeneralTypeKey) : "";
        if (type != "adapter") throw new ModelFormatException($"{path}: general.type is '{type}', expected 'adapter'");
        string arch = file.Get(MetadataKeys.Architecture).AsString(MetadataKeys.Architecture);
        if (arch != model.Config.Architecture) throw new ModelFormatException($"{path}: adapter for '{arch}', base is '{model.Config.Architecture}'");
        float alpha = (float)file.Get(AlphaKey).AsDouble(AlphaKey);
        var byName = model.LoraFactors.ToDictionary(f => f.BaseName);
        foreach (var info in file.Tensors)
        {
            bool isA = info.Name.EndsWith(SuffixA, StringComparison.Ordinal);
            if (!isA && !info.Name.EndsWith(SuffixB, StringComparison.Ordinal))
                throw new ModelFormatException($"{path}: tensor '{info.Name}' is neither .lora_a nor .lora_b");
            string baseName = info.Name[..^SuffixA.Length];
            if (!byName.TryGetValue(baseName, out var f))
                throw new ModelFormatException($"{path}: '{baseName}' is not adapted in this model (choose the same targets and rank)");
            if (f.Alpha != alpha) throw new ModelFormatException($"{path}: alpha {alpha}, the model was set up with {f.Alpha}");
            var p = isA ? f.A : f.B;
            long[] expected = [p.Shape[1], p.Shape[0]];
            if (info.Type != GgmlType.F32 || !info.Shape.SequenceEqual(expected))
                throw new ModelFormatException($"{path}: '{info.Name}' is {info.Type} {info.ShapeText}, expected F32 [{expected[0]}, {expected[1]}]");
            Numbers.Convert<T>(MemoryMarshal.Cast<byte, float>(file.TensorBytes(info)), p.Value);
        }
    }
}
