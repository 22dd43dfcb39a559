// Quantized variants of the tiny models, made by llama.cpp's quantizer (the oracle) or by ours; cached by name.
using Weft.Models.Quantization;

namespace Weft.TestKit;

public static class QuantizedModels
{
    /// <summary>The F32 model quantized by llama.cpp to <paramref name="type"/> (a recipe name such as Q4_K_M).</summary>
    public static string ByOracle(string f32, string type, bool pure)
    {
        string path = f32.Replace("-f32.gguf", $"-{type.ToLowerInvariant()}{(pure ? "-pure" : "")}-llama.gguf", StringComparison.Ordinal);
        if (!File.Exists(path))
        {
            string tmp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            Oracle.Quantize(f32, tmp, type, pure);
            File.Move(tmp, path, overwrite: true);
        }
        return path;
    }

    /// <summary>The F32 model quantized by our quantizer.</summary>
    public static string ByWeft(string f32, string type, bool pure)
    {
        string path = f32.Replace("-f32.gguf", $"-{type.ToLowerInvariant()}{(pure ? "-pure" : "")}-weft.gguf", StringComparison.Ordinal);
        if (!File.Exists(path)) ModelQuantizer.Quantize(f32, path, FileType.Parse(type), pure);
        return path;
    }
}
