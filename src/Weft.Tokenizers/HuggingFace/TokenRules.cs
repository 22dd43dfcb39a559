// Rules llama.cpp's converter applies to every added token, whichever file the vocabulary came from.
namespace Weft.Tokenizers.HuggingFace;

internal static class TokenRules
{
    /// <summary>Added tokens some checkpoints leave unmarked although they act as control tokens.</summary>
    public static bool LooksSpecial(string text) =>
        text is "<pad>" or "<mask>" or "<2mass>" or "[@BOS@]"
        || (text.StartsWith("<|", StringComparison.Ordinal) && text.EndsWith("|>", StringComparison.Ordinal))
        || (text.StartsWith("<｜", StringComparison.Ordinal) && text.EndsWith("｜>", StringComparison.Ordinal))
        || (text.StartsWith("<unused", StringComparison.Ordinal) && text.EndsWith('>'));

    /// <summary>An added token's text and GGUF type: control when special (or looking so), else user-defined
    /// with U+2581 turned back into spaces (llama.cpp matches user-defined tokens against raw text).</summary>
    public static (string Text, TokenType Type) Added(AddedToken t) =>
        t.Special || LooksSpecial(t.Content) ? (t.Content, TokenType.Control) : (t.Content.Replace('\u2581', ' '), TokenType.UserDefined);

    public static string Pad(int id) => $"[PAD{id}]";

    /// <summary>"&lt;0xXX&gt;", SentencePiece's byte-fallback pieces.</summary>
    public static bool IsBytePiece(string t) =>
        t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t[5] == '>' && Uri.IsHexDigit(t[3]) && Uri.IsHexDigit(t[4]);
}
