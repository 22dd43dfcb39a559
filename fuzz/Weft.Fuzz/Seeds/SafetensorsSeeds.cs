// safetensors seeds from our writer: a single file with metadata and several dtypes, and a two-shard checkpoint.
using Weft.Formats.Safetensors;

namespace Weft.Fuzz.Seeds;

public static class SafetensorsSeeds
{
    public static IEnumerable<byte[]> Files()
    {
        yield return Bytes(new SafetensorsWriter().SetMetadata("format", "pt")
            .AddF32("a.weight", [2, 3], new float[] { 1, 2, 3, 4, 5, 6 })
            .Add("b.bias", SafetensorsDtype.F16, [4], new byte[8])
            .Add("c", SafetensorsDtype.BF16, [1, 2], new byte[4]));
        yield return Bytes(new SafetensorsWriter().AddF32("only", [1], new float[] { 0.5f }));
    }

    /// <summary>index.json, shard 1 and shard 2 joined as the safetensors-index target splits them.</summary>
    public static byte[] Sharded()
    {
        var one = new SafetensorsWriter().AddF32("model.embed_tokens.weight", [2, 2], new float[4]);
        var two = new SafetensorsWriter().AddF32("lm_head.weight", [2, 2], new float[4]).AddF32("model.norm.weight", [2], new float[2]);
        var map = new Dictionary<string, string>
        {
            ["model.embed_tokens.weight"] = Targets.SafetensorsIndexTarget.Shard1,
            ["lm_head.weight"] = Targets.SafetensorsIndexTarget.Shard2,
            ["model.norm.weight"] = Targets.SafetensorsIndexTarget.Shard2,
        };
        return Parts.Join(SeedWriter.Utf8(SafetensorsWriter.IndexJson(map, 40)), Parts.JoinBinary(Bytes(one), Bytes(two)));
    }

    private static byte[] Bytes(SafetensorsWriter w) => GgufSeeds.Bytes(w.Write);
}
