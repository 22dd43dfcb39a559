// Where a model's metadata and weights come from: a GGUF file, or a Hugging Face checkpoint folder presented with the
// metadata and tensor names its conversion to GGUF would have. Architectures read both through this one view.
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Tensors;

namespace Weft.Models.Loading;

/// <summary>
/// One tensor under its GGUF name and shape (ggml order: Shape[0] is the row length). Its bytes are
/// <see cref="Parts"/> laid end to end, each <see cref="PartBytes"/> long: one part for an ordinary tensor, one per
/// expert for a checkpoint whose experts are stored apart. <see cref="Where"/> says where it was found, for errors.
/// </summary>
public sealed record SourceTensor(string Name, GgmlType Type, long[] Shape, nint[] Parts, long PartBytes, string Where)
{
    public long ByteSize => PartBytes * Parts.Length;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long RowLength => Shape[0];
    public long RowCount => Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

public abstract class ModelSource : IDisposable
{
    public abstract string Path { get; }
    public abstract IReadOnlyDictionary<string, GgufValue> Metadata { get; }
    /// <summary>Metadata keys in the order a GGUF file of this model lists them.</summary>
    public abstract IReadOnlyList<string> MetadataKeys { get; }
    public abstract IReadOnlyList<SourceTensor> Tensors { get; }
    public abstract SourceTensor? FindTensor(string name);

    /// <summary>
    /// True when attn_q/attn_k rows are in Hugging Face's rotate-half order (each head's first half pairs with its second
    /// half) rather than llama.cpp's interleaved order; such weights are run with NeoX-style rotary embeddings.
    /// </summary>
    public virtual bool RotateHalfQk => false;

    /// <summary>
    /// Where the bytes at <paramref name="address"/> (inside a tensor of this source) lie on disk, for reading them
    /// without touching the mapping; null when they cannot be read that way.
    /// </summary>
    public virtual (string File, long Offset)? DiskLocation(nint address) => null;

    public bool TryGet(string key, out GgufValue value) => Metadata.TryGetValue(key, out value!);

    public GgufValue Get(string key) => Metadata.TryGetValue(key, out var v)
        ? v : throw new ModelFormatException($"{Path}: required metadata key '{key}' is missing");

    public abstract void Dispose();

    /// <summary>A GGUF file, or a Hugging Face checkpoint folder.</summary>
    public static ModelSource Open(string path) =>
        Directory.Exists(path) ? Checkpoints.CheckpointSource.Open(path) : new GgufSource(GgufFile.Open(path), owns: true);
}

/// <summary>A GGUF file as a model source; tensors are views into its mapping.</summary>
public sealed unsafe class GgufSource : ModelSource
{
    private readonly bool _owns;
    private readonly Dictionary<string, SourceTensor> _byName = new(StringComparer.Ordinal);

    public GgufFile File { get; }

    public GgufSource(GgufFile file, bool owns)
    {
        File = file;
        _owns = owns;
        var list = new List<SourceTensor>(file.Tensors.Count);
        foreach (var t in file.Tensors)
        {
            var s = new SourceTensor(t.Name, t.Type, t.Shape, [(nint)file.DataPointer(t)], t.ByteSize,
                $"at byte offset {file.DataOffset + t.Offset}");
            list.Add(s);
            _byName[t.Name] = s;
        }
        Tensors = list;
    }

    public override string Path => File.Path;
    public override IReadOnlyDictionary<string, GgufValue> Metadata => File.Metadata;
    public override IReadOnlyList<string> MetadataKeys => File.MetadataKeys;
    public override IReadOnlyList<SourceTensor> Tensors { get; }
    public override SourceTensor? FindTensor(string name) => _byName.GetValueOrDefault(name);

    public override (string File, long Offset)? DiskLocation(nint address) => (File.Path, File.FileOffsetOf((byte*)address));

    public override void Dispose()
    {
        if (_owns) File.Dispose();
    }
}
