// What the tokenizer targets do with a checkpoint folder: read it, build the tokenizer, encode and decode a short text.
using Weft.Tokenizers.HuggingFace;

namespace Weft.Fuzz.Targets;

public static class TokenizerUse
{
    public const string Sample = "Hello, world! <s> <|im_start|> 12345 \u00e9\u4e2d\n\tend";

    public static void Exercise(string folder)
    {
        var read = HfTokenizerFiles.Read(folder);
        var tokenizer = read.CreateTokenizer();
        int[] ids = tokenizer.Encode(Sample, addSpecial: false, parseSpecial: true);
        _ = tokenizer.Decode(ids, renderSpecial: true);
        _ = tokenizer.Encode(Sample, addSpecial: true, parseSpecial: false);
    }
}
