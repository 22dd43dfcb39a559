// GGUF: header, metadata, tensor table and data placement, the tokenizer metadata, then a model load (weights mapped,
// not packed) bounded by the input's own size.
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Models.Loading;
using Weft.Tokenizers;

namespace Weft.Fuzz.Targets;

public static class GgufTarget
{
    public static FuzzTarget Target { get; } = new("gguf", "GgufFile, GgufTokenizerLoader, Model.Load", Feed,
        [typeof(ModelFormatException), typeof(UnsupportedModelException), typeof(NotSupportedException), typeof(MissingTokenException)]);

    private static void Feed(byte[] data)
    {
        string path = Scratch.File("model.gguf", data);
        using (var file = GgufFile.Open(path))
        {
            Walk(file);
            Tokenize(file);
        }
        using var model = Model.Load(path, [], pack: false);
        _ = model.BytesPerToken;
    }

    private static void Walk(GgufFile file)
    {
        foreach (var key in file.MetadataKeys) _ = file.Metadata[key].Display();
        long sum = 0;
        foreach (var t in file.Tensors)
            if (t.ByteSize <= 1 << 20)
                foreach (byte b in file.TensorBytes(t)) sum += b;
        GC.KeepAlive(sum);
    }

    private static void Tokenize(GgufFile file)
    {
        if (!file.TryGet("tokenizer.ggml.model", out _)) return;
        var tokenizer = GgufTokenizerLoader.Load(file);
        int[] ids = tokenizer.Encode(TokenizerUse.Sample, addSpecial: false, parseSpecial: true);
        _ = tokenizer.Decode(ids, renderSpecial: true);
        _ = tokenizer.Encode(TokenizerUse.Sample, addSpecial: true, parseSpecial: false);
    }
}
