// tokenizer.json alone in a checkpoint folder: read into a vocabulary, built into a tokenizer, then used once.
using Weft.Tokenizers;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Fuzz.Targets;

public static class TokenizerJsonTarget
{
    public static FuzzTarget Target { get; } = new("tokenizer-json", "HfTokenizerFiles (tokenizer.json)", Feed,
        [typeof(TokenizerFileException), typeof(NotSupportedException), typeof(MissingTokenException)]);

    private static void Feed(byte[] data) =>
        TokenizerUse.Exercise(Scratch.Folder((HfTokenizerFiles.TokenizerJsonName, data)));
}
