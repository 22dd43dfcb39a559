// VocabularySpec → the tokenizer.ggml.* metadata llama.cpp reads (the inverse of GgufTokenizerLoader.ReadSpec),
// plus tokenizer.chat_template; used by checkpoint loading and `weft convert`.
using Weft.Formats.Gguf;
using Weft.Tokenizers;

namespace Weft.Models.Loading;

public static class TokenizerMetadata
{
    private const string Prefix = "tokenizer.ggml.";

    /// <summary>The keys in llama.cpp's converter order; values left null in the spec are left out.</summary>
    public static List<KeyValuePair<string, GgufValue>> ToGguf(VocabularySpec spec, string? chatTemplate = null)
    {
        var kv = new List<KeyValuePair<string, GgufValue>>();
        void Add(string key, GgufValue v) => kv.Add(new(key, v));
        void Id(string name, int? id)
        {
            if (id is int i && i >= 0) Add(Prefix + name, GgufValue.Of((uint)i));
        }
        void Flag(string name, bool? b)
        {
            if (b is bool x) Add(Prefix + name, GgufValue.Of(x));
        }

        Add(Prefix + "model", GgufValue.Of(spec.Model));
        if (spec.Pre != null) Add(Prefix + "pre", GgufValue.Of(spec.Pre));
        Add(Prefix + "tokens", GgufValue.Of(spec.Tokens));
        if (spec.Scores != null) Add(Prefix + "scores", GgufValue.Of(spec.Scores));
        if (spec.TokenTypes != null) Add(Prefix + "token_type", GgufValue.Of(spec.TokenTypes));
        if (spec.Merges != null) Add(Prefix + "merges", GgufValue.Of(spec.Merges));
        Id("bos_token_id", spec.BosId);
        Id("eos_token_id", spec.EosId);
        Id("eot_token_id", spec.EotId);
        Id("eom_token_id", spec.EomId);
        Id("unknown_token_id", spec.UnkId);
        Id("seperator_token_id", spec.SepId); // llama.cpp's spelling
        Id("padding_token_id", spec.PadId);
        Id("mask_token_id", spec.MaskId);
        Id("fim_pre_token_id", spec.FimPreId);
        Id("fim_suf_token_id", spec.FimSufId);
        Id("fim_mid_token_id", spec.FimMidId);
        Id("fim_pad_token_id", spec.FimPadId);
        Id("fim_rep_token_id", spec.FimRepId);
        Id("fim_sep_token_id", spec.FimSepId);
        Flag("add_bos_token", spec.AddBos);
        Flag("add_eos_token", spec.AddEos);
        Flag("add_sep_token", spec.AddSep);
        Flag("add_space_prefix", spec.AddSpacePrefix);
        Flag("remove_extra_whitespaces", spec.RemoveExtraWhitespaces);
        Flag("normalizer.lowercase", spec.NormalizerLowercase);
        Flag("normalizer.strip_accents", spec.NormalizerStripAccents);
        if (chatTemplate != null) Add(MetadataKeys.ChatTemplate, GgufValue.Of(chatTemplate));
        return kv;
    }
}
