// A sharded safetensors checkpoint: model.safetensors.index.json up to the input's first NUL, then the two shards
// (Parts.SplitBinary).
using Weft.Formats;
using Weft.Formats.Safetensors;

namespace Weft.Fuzz.Targets;

public static class SafetensorsIndexTarget
{
    public const string Shard1 = "model-00001-of-00002.safetensors";
    public const string Shard2 = "model-00002-of-00002.safetensors";

    public static FuzzTarget Target { get; } = new("safetensors-index", "SafetensorsCheckpoint", Feed, [typeof(ModelFormatException)]);

    private static void Feed(byte[] data)
    {
        var p = Parts.Split(data, 2);
        var (one, two) = Parts.SplitBinary(p[1] ?? []);
        string folder = Scratch.Folder((SafetensorsCheckpoint.IndexName, p[0]), (Shard1, one), (Shard2, two));
        using var checkpoint = SafetensorsCheckpoint.Open(folder);
        foreach (string name in checkpoint.TensorNames) _ = checkpoint.Find(name)!.Value.Tensor.ByteSize;
    }
}
