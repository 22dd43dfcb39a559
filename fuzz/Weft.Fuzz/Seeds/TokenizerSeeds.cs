// tokenizer.json seeds (byte-level BPE, SentencePiece-style BPE with byte fallback, WordPiece) and
// tokenizer_config.json / config.json / special_tokens_map.json triples.
using Weft.Fuzz.Targets;

namespace Weft.Fuzz.Seeds;

public static class TokenizerSeeds
{
    public static IEnumerable<byte[]> TokenizerJsons()
    {
        yield return TokenizerConfigTarget.FixedTokenizerJson;
        yield return SeedWriter.Utf8("""
            {"added_tokens":[{"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},{"id":2,"content":"</s>","special":true}],
             "normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]},
             "pre_tokenizer":null,"decoder":{"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Fuse"}]},
             "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}]},
             "model":{"type":"BPE","unk_token":"<unk>","byte_fallback":true,"fuse_unk":true,
               "vocab":{"<unk>":0,"<s>":1,"</s>":2,"<0x00>":3,"<0x0A>":4,"▁":5,"H":6,"e":7,"▁H":8,"l":9,"o":10},
               "merges":[["▁","H"]]}}
            """);
        yield return SeedWriter.Utf8("""
            {"added_tokens":[{"id":0,"content":"[PAD]","special":true},{"id":1,"content":"[UNK]","special":true},
               {"id":2,"content":"[CLS]","special":true},{"id":3,"content":"[SEP]","special":true}],
             "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
             "pre_tokenizer":{"type":"BertPreTokenizer"},
             "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}]},
             "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
               "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"world":5,"##s":6,",":7,"!":8}}}
            """);
    }

    public static IEnumerable<byte[]> Configs()
    {
        yield return Parts.Join(
            SeedWriter.Utf8("""
                {"add_bos_token":true,"add_eos_token":false,"bos_token":"<s>","eos_token":{"content":"</s>","special":true},
                 "clean_up_tokenization_spaces":false,"model_max_length":2048,
                 "added_tokens_decoder":{"8":{"content":"<s>","special":true},"9":{"content":"</s>","special":true}},
                 "chat_template":"{% for m in messages %}{{ m.content }}{% endfor %}"}
                """),
            SeedWriter.Utf8("""{"model_type":"llama","vocab_size":10,"bos_token_id":8,"eos_token_id":[9,8],"pad_token_id":null}"""),
            SeedWriter.Utf8("""{"bos_token":"<s>","eos_token":"</s>","unk_token":{"content":"<s>"}}"""));
        yield return Parts.Join(
            SeedWriter.Utf8("""{"chat_template":[{"name":"default","template":"{{ bos_token }}"},{"name":"tool_use","template":"x"}]}"""),
            SeedWriter.Utf8("""{"vocab_size":12}"""));
    }
}
