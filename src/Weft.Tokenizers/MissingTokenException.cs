// Encoding needs a token the vocabulary does not have (BOS or SEP it asks to add, UNK for text no token covers).
namespace Weft.Tokenizers;

public sealed class MissingTokenException(string what)
    : InvalidOperationException($"the vocabulary asks for a {what} token but has none")
{
    /// <summary>Which token: BOS, EOS, SEP or UNK.</summary>
    public string Token { get; } = what;

    /// <summary><paramref name="id"/> when it is a token, else the exception naming <paramref name="what"/>.</summary>
    public static int Require(int id, string what) => id >= 0 ? id : throw new MissingTokenException(what);
}
