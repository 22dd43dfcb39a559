// tokenizer.model (no tokenizer.json) → VocabularySpec, as llama.cpp's converter builds a "llama" vocabulary:
// the pieces with their scores and types, then added tokens from added_tokens.json and tokenizer_config.json.
namespace Weft.Tokenizers.HuggingFace;

internal static class SentencePieceVocabulary
{
    public const float AddedScore = -1000f, PaddingScore = -10000f;

    public static HfTokenizer Build(string path, CheckpointConfig config)
    {
        var model = SentencePieceModelFile.Read(path);
        if (model.ModelType != SentencePieceModelFile.Bpe)
        {
            string name = model.ModelType switch { 1 => "Unigram", 3 => "Word", 4 => "Char", _ => "unknown" };
            throw new NotSupportedException($"{path}: field 'trainer_spec.model_type' is {model.ModelType} ({name}); " +
                "only SentencePiece BPE models (2) are supported");
        }

        long size = Math.Max(model.Pieces.Count, config.VocabSize ?? 0);
        foreach (var a in config.AddedTokensJson.Concat(config.AddedTokensDecoder)) size = Math.Max(size, a.Id + 1L);
        int n = HfTokenizerFiles.CheckedSize(size, path);
        var tokens = new string[n];
        var scores = new float[n];
        var types = new int[n];
        for (int i = 0; i < n; i++) (tokens[i], scores[i], types[i]) = (TokenRules.Pad(i), PaddingScore, (int)TokenType.Unused);
        for (int i = 0; i < model.Pieces.Count; i++)
            (tokens[i], scores[i], types[i]) = (model.Pieces[i].Text, model.Pieces[i].Score, (int)model.Pieces[i].Type);
        foreach (var a in config.AddedTokensJson) (tokens[a.Id], scores[a.Id], types[a.Id]) = (a.Content, AddedScore, (int)TokenType.UserDefined);
        foreach (var a in config.AddedTokensDecoder)
        {
            var (text, type) = TokenRules.Added(a);
            (tokens[a.Id], scores[a.Id], types[a.Id]) = (text, AddedScore, (int)type);
        }

        var textToId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++) textToId.TryAdd(tokens[i], i);
        var roles = SpecialRoles.From(config, null, null, wordPiece: false);
        var ids = roles.Ids(t => textToId.TryGetValue(t, out int i) ? i : null, config, n);
        int? Id(string role, int fromModel) =>
            ids.TryGetValue(role, out int id) ? id : fromModel >= 0 && fromModel < n ? fromModel : null;

        var spec = new VocabularySpec
        {
            Model = "llama",
            Pre = "default",
            Tokens = tokens,
            Scores = scores,
            TokenTypes = types,
            BosId = Id("bos", model.BosId),
            EosId = Id("eos", model.EosId),
            UnkId = Id("unk", model.UnkId),
            PadId = Id("pad", model.PadId),
            SepId = ids.TryGetValue("sep", out int sep) ? sep : null,
            MaskId = ids.TryGetValue("mask", out int mask) ? mask : null,
            AddBos = roles.Adds("bos"),
            AddEos = roles.Adds("eos"),
            AddSpacePrefix = model.AddDummyPrefix ? null : false,
        };
        return new HfTokenizer
        {
            Spec = spec,
            SourceFile = path,
            ChatTemplate = config.ChatTemplate,
            ChatTemplates = config.ChatTemplates,
            BosText = spec.BosId is int b ? tokens[b] : null,
            EosText = spec.EosId is int e ? tokens[e] : null,
        };
    }
}
