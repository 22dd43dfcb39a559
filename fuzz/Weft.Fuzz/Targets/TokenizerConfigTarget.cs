// tokenizer_config.json, config.json and special_tokens_map.json (the input's NUL-separated parts) beside a fixed,
// valid tokenizer.json.
using System.Text;
using Weft.Tokenizers;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Fuzz.Targets;

public static class TokenizerConfigTarget
{
    public static FuzzTarget Target { get; } = new("tokenizer-config", "HfTokenizerFiles (tokenizer_config.json, config.json)", Feed,
        [typeof(TokenizerFileException), typeof(NotSupportedException), typeof(MissingTokenException)]);

    /// <summary>A byte-level BPE tokenizer.json of a few tokens, two merges and two added special tokens.</summary>
    public static readonly byte[] FixedTokenizerJson = Encoding.UTF8.GetBytes("""
        {"version":"1.0","added_tokens":[{"id":8,"content":"<s>","special":true},{"id":9,"content":"</s>","special":true}],
         "normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
         "post_processor":null,"decoder":{"type":"ByteLevel"},
         "model":{"type":"BPE","dropout":null,"unk_token":null,"byte_fallback":false,
           "vocab":{"H":0,"e":1,"l":2,"o":3,"He":4,"ll":5,"Ġ":6,"!":7},"merges":["H e","l l"]}}
        """);

    private static void Feed(byte[] data)
    {
        var p = Parts.Split(data, 3);
        TokenizerUse.Exercise(Scratch.Folder(
            (HfTokenizerFiles.TokenizerJsonName, FixedTokenizerJson),
            ("tokenizer_config.json", p[0]), ("config.json", p[1]), ("special_tokens_map.json", p[2])));
    }
}
