// llama.cpp's ggml-vocab-*.gguf files cut down to fuzzing size: every metadata array shortened to its first items.
using Weft.Formats;
using Weft.Formats.Gguf;

namespace Weft.Fuzz.Seeds;

public static class VocabularySeeds
{
    private const int Keep = 300;

    public static IEnumerable<byte[]> CutDown(string modelsFolder)
    {
        foreach (string path in Directory.EnumerateFiles(modelsFolder, "ggml-vocab-*.gguf").Order(StringComparer.Ordinal))
        {
            byte[]? seed = TryCut(path);
            if (seed != null) yield return seed;
        }
    }

    private static byte[]? TryCut(string path)
    {
        try
        {
            using var file = GgufFile.Open(path);
            var w = new GgufWriter();
            foreach (string key in file.MetadataKeys) w.Set(key, Shorten(file.Metadata[key]));
            return GgufSeeds.Bytes(w.Write);
        }
        catch (ModelFormatException)
        {
            return null;
        }
    }

    private static GgufValue Shorten(GgufValue v)
    {
        if (v.Value is not GgufArray a || a.Count <= Keep) return v;
        var items = Array.CreateInstance(a.Items.GetType().GetElementType()!, Keep);
        Array.Copy(a.Items, items, Keep);
        return v with { Value = a with { Items = items } };
    }
}
