// Behaviour the oracle cannot show directly: streaming decode, BOS/EOS removal on decode, end-of-generation ids,
// token bytes, and tokenizers built from a hand-written spec.
using System.Text;

namespace Weft.Tokenizers.Tests;

public class TokenizerBehaviourTests
{
    [Fact]
    public void StreamingDecoderHoldsBackSplitCharacters()
    {
        var tok = Reference.Load("llama-spm");
        const string text = "héllo 🦙 wörld";
        var ids = tok.Encode(text, addSpecial: true, parseSpecial: false);
        var dec = tok.CreateStreamingDecoder();
        var sb = new StringBuilder();
        bool sawHeldBytes = false;
        foreach (int id in ids)
        {
            string part = dec.Push(id);
            Assert.DoesNotContain('\uFFFD', part);
            sawHeldBytes |= dec.PendingBytes > 0;
            sb.Append(part);
        }
        sb.Append(dec.Flush());
        Assert.True(sawHeldBytes, "the llama emoji should arrive as byte-fallback tokens");
        Assert.Equal(" " + text, sb.ToString()); // the space prefix stays; only Decode strips it
        Assert.Equal(text, tok.Decode(ids.Skip(1)));
    }

    [Fact]
    public void StreamingDecoderFlushesAnIncompleteCharacterAsReplacement()
    {
        var tok = Reference.Load("llama-spm");
        var dec = tok.CreateStreamingDecoder();
        int byteE2 = Enumerable.Range(0, tok.VocabSize).First(id => tok.TokenText(id) == "<0xE2>");
        Assert.Equal("", dec.Push(byteE2));
        Assert.Equal(1, dec.PendingBytes);
        Assert.Equal("\uFFFD", dec.Flush());
        Assert.Equal(0, dec.PendingBytes);
    }

    [Fact]
    public void DecodeFollowsLlamaCppAroundBosAndTheSpacePrefix()
    {
        var tok = Reference.Load("llama-spm");
        var ids = tok.Encode("Hello world", addSpecial: true, parseSpecial: false);
        Assert.Equal(tok.Bos, ids[0]);
        // BOS renders as nothing but still takes the "first token" slot, so the space of "▁Hello" stays
        Assert.Equal(" Hello world", tok.Decode(ids));
        Assert.Equal(" Hello world", tok.Decode(ids, removeSpecial: true));
        Assert.Equal("<s> Hello world", tok.Decode(ids, renderSpecial: true));
        Assert.Equal("Hello world", tok.Decode(ids.Skip(1)));
    }

    [Fact]
    public void Llama3EndOfGenerationTokens()
    {
        var tok = Reference.Load("llama-bpe");
        Assert.Equal(128000, tok.Bos);
        Assert.Equal(128001, tok.Eos);
        Assert.Equal(128009, tok.Eot); // found by its text <|eot_id|>
        Assert.True(tok.IsEog(128001) && tok.IsEog(128009) && !tok.IsEog(128000));
        Assert.True(tok.AddBos && !tok.AddEos);
        Assert.Equal([128000, 9906], tok.Encode("<|begin_of_text|>Hello", addSpecial: false, parseSpecial: true));
        Assert.NotEqual(128000, tok.Encode("<|begin_of_text|>Hello", addSpecial: false, parseSpecial: false)[0]);
    }

    [Fact]
    public void TokenBytesUndoTheVocabularyEncoding()
    {
        var gpt2 = Reference.Load("gpt-2");
        int hello = gpt2.Encode(" hello", addSpecial: false, parseSpecial: false).Single();
        Assert.Equal("Ġhello", gpt2.TokenText(hello));
        Assert.Equal(" hello"u8.ToArray(), gpt2.TokenBytes(hello));

        var spm = Reference.Load("llama-spm");
        int a = Enumerable.Range(0, spm.VocabSize).First(id => spm.TokenText(id) == "<0x41>");
        Assert.Equal("A"u8.ToArray(), spm.TokenBytes(a));
        Assert.Equal(TokenAttributes.Byte, spm.Attributes(a));
        Assert.Equal("<s>"u8.ToArray(), spm.TokenBytes(spm.Bos));
        Assert.True(spm.Piece(spm.Bos, renderSpecial: false).IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => spm.TokenBytes(spm.VocabSize));
    }

    private static Tokenizer TinySentencePiece(bool? addSpacePrefix = null) => Tokenizer.Create(new VocabularySpec
    {
        Model = "llama",
        Tokens = ["<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "ab", "▁ab", "<0x63>", "<ctl>"],
        Scores = [0, 0, 0, -1, -2, -2, -1, -3, -0.5f, 0, 0],
        TokenTypes = [2, 3, 3, 1, 1, 1, 1, 1, 1, 6, 3],
        AddSpacePrefix = addSpacePrefix,
    });

    [Fact]
    public void SentencePieceFromASpec()
    {
        var tok = TinySentencePiece();
        Assert.Equal(11, tok.VocabSize);
        Assert.Equal([1, 8], tok.Encode("ab", addSpecial: true, parseSpecial: false));
        // "▁a" outscores "ab", then "▁ab" wins; "c" is no token and falls back to its byte
        Assert.Equal([8, 9, 6], tok.Encode("abc a", addSpecial: false, parseSpecial: false));
        // control text is plain text unless special parsing is on; after a special token the space prefix comes back
        Assert.Equal([10, 8], tok.Encode("<ctl>ab", addSpecial: false, parseSpecial: true));
        Assert.Equal("abc a", tok.Decode([8, 9, 6]));
        Assert.Equal([7], TinySentencePiece(addSpacePrefix: false).Encode("ab", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void UnsupportedKindsAreRefusedByName()
    {
        var e = Assert.Throws<NotSupportedException>(() => Tokenizer.Create(new VocabularySpec { Model = "t5", Tokens = ["a"] }));
        Assert.Contains("t5", e.Message);
        var p = Assert.Throws<NotSupportedException>(() =>
            Tokenizer.Create(new VocabularySpec { Model = "gpt2", Pre = "no-such-pre", Tokens = ["a"], Merges = [] }));
        Assert.Contains("no-such-pre", p.Message);
    }

    [Fact]
    public void InconsistentMergesGiveABoundedResult()
    {
        // merges that name pieces the vocabulary lacks ("ab", "xyz"), repeat, or lack the separating space:
        // the tokenizer is still built and every byte of the text still comes back from its ids
        var tok = Tokenizer.Create(new VocabularySpec
        {
            Model = "gpt2", Pre = "gpt-2",
            Tokens = ["a", "b", "c", "Ġ", "bc", "<|endoftext|>"],
            TokenTypes = [1, 1, 1, 1, 1, 3],
            Merges = ["a b", "ab c", "a b", "xyz q", "nospace", "b c"],
            EosId = 5,
        });
        foreach (string text in new[] { "abc", "abc abc", "cab", "bbbbbbbb", "" })
        {
            var ids = tok.Encode(text, addSpecial: false, parseSpecial: false);
            Assert.All(ids, id => Assert.InRange(id, 0, tok.VocabSize - 1));
            Assert.Equal(text, tok.Decode(ids));
        }
    }
}
