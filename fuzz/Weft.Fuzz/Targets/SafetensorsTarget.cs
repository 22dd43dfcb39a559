// safetensors: header length, JSON header, dtype × shape against the byte ranges, placement inside the file.
using Weft.Formats;
using Weft.Formats.Safetensors;

namespace Weft.Fuzz.Targets;

public static class SafetensorsTarget
{
    public static FuzzTarget Target { get; } = new("safetensors", "SafetensorsFile", Feed, [typeof(ModelFormatException)]);

    private static void Feed(byte[] data)
    {
        using var file = SafetensorsFile.Open(Scratch.File("model.safetensors", data));
        long sum = 0;
        foreach (var t in file.Tensors)
        {
            _ = t.ShapeText;
            if (t.ByteSize <= 1 << 20)
                foreach (byte b in file.TensorBytes(t)) sum += b;
        }
        GC.KeepAlive(sum);
    }
}
