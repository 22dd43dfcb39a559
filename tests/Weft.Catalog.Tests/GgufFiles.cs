// Small GGUF files written with Weft's writer, carrying the metadata a test needs.
using Weft.Formats.Gguf;
using Weft.Tensors;

namespace Weft.Catalog.Tests;

internal static class GgufFiles
{
    /// <summary>A file with two F16 matrices [8, 4] and a F32 norm [8], plus the given metadata.</summary>
    public static string Write(string path, Action<GgufWriter> metadata)
    {
        var w = new GgufWriter();
        w.Set("general.architecture", "llama");
        metadata(w);
        w.AddTensor("token_embd.weight", GgmlType.F16, [8, 4], new byte[8 * 4 * 2]);
        w.AddTensor("output.weight", GgmlType.F16, [8, 4], new byte[8 * 4 * 2]);
        w.AddTensorF32("output_norm.weight", [8], new float[8]);
        w.Write(path);
        return path;
    }
}
