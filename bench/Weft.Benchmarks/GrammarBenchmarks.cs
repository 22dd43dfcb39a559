// Grammar-constrained sampling costs on the 32,000-token Llama vocabulary: the token mask from a state not seen
// before (a full trie walk), the per-token steady state (cached mask applied to the logits), and compiling a
// 50-property schema. WEFT_VOCAB names the vocabulary GGUF (default: llama.cpp's ggml-vocab-llama-spm.gguf).
using BenchmarkDotNet.Attributes;
using Weft.Formats.Gguf;
using Weft.Inference.Grammar;
using Weft.Models.Loading;
using Weft.Tokenizers;

namespace Weft.Benchmarks;

[MemoryDiagnoser]
public class GrammarBenchmarks
{
    private Tokenizer _tokenizer = null!;
    private Grammar _object = null!;
    private string _schema50 = null!;
    private float[] _logits = null!;
    private float[] _masked = null!;
    private TokenConstraint _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        string path = Environment.GetEnvironmentVariable("WEFT_VOCAB") ?? "/tmp/llamacpp-src/models/ggml-vocab-llama-spm.gguf";
        using var file = GgufFile.Open(path);
        _tokenizer = GgufTokenizerLoader.Load(file);
        var props = string.Join(",", Enumerable.Range(0, 50).Select(i => (i % 5) switch
        {
            0 => $"\"p{i}\":{{\"type\":\"string\",\"maxLength\":40}}",
            1 => $"\"p{i}\":{{\"type\":\"integer\",\"minimum\":-100,\"maximum\":{1000 + i}}}",
            2 => $"\"p{i}\":{{\"enum\":[\"a{i}\",\"b{i}\",\"c{i}\"]}}",
            3 => $"\"p{i}\":{{\"type\":\"array\",\"items\":{{\"type\":\"number\"}},\"maxItems\":8}}",
            _ => $"\"p{i}\":{{\"type\":[\"boolean\",\"null\"]}}",
        }));
        var required = string.Join(",", Enumerable.Range(0, 50).Where(i => i % 2 == 0).Select(i => $"\"p{i}\""));
        _schema50 = $"{{\"type\":\"object\",\"properties\":{{{props}}},\"required\":[{required}],\"additionalProperties\":false}}";
        _object = Grammar.FromJsonSchema(_schema50);
        _logits = new float[_tokenizer.VocabSize];
        for (int i = 0; i < _logits.Length; i++) _logits[i] = (i * 7919 % 1000) / 100f;
        _masked = new float[_logits.Length];
        _warm = InsideString();
        _ = _warm.Allowed;
        RunInstance(out int tokens);
        Console.WriteLine($"// whole instance: {tokens} tokens");
    }

    /// <summary>A constraint inside the first string value: nearly every token is allowed (the widest walk).</summary>
    private TokenConstraint InsideString()
    {
        var c = new TokenConstraint(_object, _tokenizer);
        // one single-byte token per character (encoding would add SentencePiece's leading space)
        foreach (byte b in "{\"p0\": \"ab"u8)
        {
            int t = Enumerable.Range(0, _tokenizer.VocabSize).First(id => _tokenizer.Piece(id, false) is [var only] && only == b);
            if (!c.Accept(t)) throw new InvalidOperationException("the prefix does not fit the grammar");
        }
        return c;
    }

    [Benchmark(Description = "mask, new state (trie walk)")]
    public int MaskNewState() => InsideString().ContinuationCount;

    [Benchmark(Description = "mask, cached state, applied to logits")]
    public float MaskCachedApply()
    {
        _warm.Apply(_logits, _masked);
        return _masked[17];
    }

    /// <summary>A whole request: a fresh constraint, then mask, pick (seeded, uniform over the allowed tokens) and
    /// accept until the instance is complete. Setup prints the token count to divide by.</summary>
    [Benchmark(Description = "whole 50-property instance, fresh request")]
    public int WholeInstance() => RunInstance(out _);

    private int RunInstance(out int tokens)
    {
        var c = new TokenConstraint(_object, _tokenizer);
        var rng = new Random(7);
        tokens = 0;
        while (c.ContinuationCount > 0 && tokens < 4000)
        {
            c.Apply(_logits, _masked);
            // the allowed token that the n-th set bit names, n uniform
            int pick = rng.Next(c.ContinuationCount), id = -1;
            var bits = c.Allowed;
            for (int w = 0; w < bits.Length && id < 0; w++)
            {
                ulong word = bits[w];
                while (word != 0)
                {
                    int t = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    if (_tokenizer.IsEog(t)) continue;
                    if (pick-- == 0) { id = t; break; }
                }
            }
            if (!c.Accept(id)) throw new InvalidOperationException($"token {id} was allowed but refused");
            tokens++;
        }
        return tokens;
    }

    [Benchmark(Description = "compile 50-property schema")]
    public int Compile50() => Grammar.FromJsonSchema(_schema50).RuleCount;
}
