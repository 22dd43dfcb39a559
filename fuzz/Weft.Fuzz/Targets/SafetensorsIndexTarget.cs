// A sharded safetensors checkpoint: model.safetensors.index.json and two shards, the input's three NUL-separated parts.
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
        var p = Parts.Split(data, 3);
        string folder = Scratch.Folder((SafetensorsCheckpoint.IndexName, p[0]), (Shard1, p[1]), (Shard2, p[2]));
        using var checkpoint = SafetensorsCheckpoint.Open(folder);
        foreach (string name in checkpoint.TensorNames) _ = checkpoint.Find(name)!.Value.Tensor.ByteSize;
    }
}
