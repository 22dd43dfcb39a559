// Builds a Tokenizer from the tokenizer.ggml.* keys of a GGUF file.
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Tokenizers;

namespace Weft.Models.Loading;

public static class GgufTokenizerLoader
{
    private const string Prefix = "tokenizer.ggml.";

    /// <summary>Reads the vocabulary and builds its tokenizer. Missing or ill-typed keys throw
    /// <see cref="ModelFormatException"/> naming the key; a model kind or pre-tokenizer this engine does not
    /// implement throws <see cref="NotSupportedException"/>.</summary>
    public static Tokenizer Load(GgufFile file)
    {
        using var source = new GgufSource(file, owns: false);
        return Load(source);
    }

    public static VocabularySpec ReadSpec(GgufFile file)
    {
        using var source = new GgufSource(file, owns: false);
        return ReadSpec(source);
    }

    public static Tokenizer Load(ModelSource file)
    {
        var spec = ReadSpec(file);
        try
        {
            return Tokenizer.Create(spec);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"{file.Path}: {e.Message}");
        }
    }

    public static VocabularySpec ReadSpec(ModelSource file)
    {
        string model = file.Get(Prefix + "model").AsString(Prefix + "model");
        string[] tokens = StringArray(file, Prefix + "tokens") ?? throw Missing(file, Prefix + "tokens");
        int n = tokens.Length;
        float[]? scores = Scores(file, n);
        int[]? types = IntArray(file, Prefix + "token_type");
        if (types != null && types.Length < n) throw Short(file, Prefix + "token_type", types.Length, n);

        return new VocabularySpec
        {
            Model = model,
            Pre = OptString(file, Prefix + "pre"),
            Tokens = tokens,
            Scores = scores,
            TokenTypes = types,
            Merges = StringArray(file, Prefix + "merges"),
            BosId = Id(file, "bos_token_id"),
            EosId = Id(file, "eos_token_id"),
            EotId = Id(file, "eot_token_id"),
            EomId = Id(file, "eom_token_id"),
            UnkId = Id(file, "unknown_token_id"),
            SepId = Id(file, "seperator_token_id"),
            PadId = Id(file, "padding_token_id"),
            MaskId = Id(file, "mask_token_id"),
            // the older prefix/suffix/middle keys win over the fim_* ones, as llama.cpp reads them last
            FimPreId = Id(file, "prefix_token_id") ?? Id(file, "fim_pre_token_id"),
            FimSufId = Id(file, "suffix_token_id") ?? Id(file, "fim_suf_token_id"),
            FimMidId = Id(file, "middle_token_id") ?? Id(file, "fim_mid_token_id"),
            FimPadId = Id(file, "fim_pad_token_id"),
            FimRepId = Id(file, "fim_rep_token_id"),
            FimSepId = Id(file, "fim_sep_token_id"),
            AddBos = Flag(file, Prefix + "add_bos_token"),
            AddEos = Flag(file, Prefix + "add_eos_token"),
            AddSep = Flag(file, Prefix + "add_sep_token"),
            AddSpacePrefix = Flag(file, Prefix + "add_space_prefix"),
            RemoveExtraWhitespaces = Flag(file, Prefix + "remove_extra_whitespaces"),
            NormalizerLowercase = Flag(file, Prefix + "normalizer.lowercase"),
            NormalizerStripAccents = Flag(file, Prefix + "normalizer.strip_accents"),
            ModelName = OptString(file, "general.name"),
            Architecture = OptString(file, "general.architecture"),
        };
    }

    private static ModelFormatException Missing(ModelSource file, string key) =>
        new($"{file.Path}: required metadata key '{key}' is missing");

    private static ModelFormatException Short(ModelSource file, string key, int have, int want) =>
        new($"{file.Path}: metadata key '{key}' has {have} entries for {want} tokens");

    private static string? OptString(ModelSource file, string key) =>
        file.TryGet(key, out var v) ? v.AsString(key) : null;

    private static bool? Flag(ModelSource file, string key) =>
        file.TryGet(key, out var v) ? v.AsBool(key) : null;

    /// <summary>A token id key; a value that is no valid int32 id comes back as -1, which the tokenizer ignores.</summary>
    private static int? Id(ModelSource file, string name)
    {
        string key = Prefix + name;
        if (!file.TryGet(key, out var v)) return null;
        long id = v.AsInt64(key);
        return id >= 0 && id <= int.MaxValue ? (int)id : -1;
    }

    private static string[]? StringArray(ModelSource file, string key)
    {
        if (!file.TryGet(key, out var v)) return null;
        var a = v.AsArray(key);
        return a.Items as string[]
            ?? throw new ModelFormatException($"{file.Path}: metadata key '{key}' holds an array of {a.ElementType}, expected strings");
    }

    private static int[]? IntArray(ModelSource file, string key)
    {
        if (!file.TryGet(key, out var v)) return null;
        var a = v.AsArray(key);
        return a.Items switch
        {
            int[] i => i,
            uint[] u => Array.ConvertAll(u, x => unchecked((int)x)),
            _ => throw new ModelFormatException($"{file.Path}: metadata key '{key}' holds an array of {a.ElementType}, expected int32"),
        };
    }

    private static float[]? Scores(ModelSource file, int n)
    {
        const string key = Prefix + "scores";
        if (!file.TryGet(key, out var v)) return null;
        var a = v.AsArray(key);
        float[] scores = a.Items switch
        {
            float[] f => f,
            int[] i => Array.ConvertAll(i, x => (float)x),
            _ => throw new ModelFormatException($"{file.Path}: metadata key '{key}' holds an array of {a.ElementType}, expected float32 or int32"),
        };
        if (scores.Length < n) throw Short(file, key, scores.Length, n);
        return scores;
    }
}
