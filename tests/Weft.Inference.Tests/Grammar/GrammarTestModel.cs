// A tiny random-weight model with the real 32,000-token Llama vocabulary, sampled at temperature 1 under a grammar.
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.TestKit;
using Weft.Tokenizers;
using G = Weft.Inference.Grammar.Grammar;

namespace Weft.Inference.Tests.Grammar;

public sealed class GrammarTestModel : IDisposable
{
    /// <summary>
    /// Added to the logits of tokens holding a closing character (" ] } ,) in the sampled runs only: a uniform pick
    /// among ~30,000 tokens would close a JSON string after ~300 tokens on average; with this about every other token.
    /// The grammar sees the biased logits like any others.
    /// </summary>
    public const float ClosingBias = 6f;

    public static readonly SyntheticModelSpec Spec = new SyntheticModelSpec
    {
        Name = "grammar", Embedding = 32, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 64, Seed = 91, Context = 1024,
    }.WithLlamaVocabulary();

    private readonly WorkerPool _pool = new(1);
    private readonly float[] _bias;

    public GrammarTestModel()
    {
        Model = Model.Load(TinyModels.Write(Spec));
        Tokenizer = Model.Tokenizer;
        _bias = new float[Model.Config.VocabSize];
        for (int id = 0; id < Tokenizer.VocabSize; id++)
            if (Tokenizer.Piece(id, renderSpecial: false).IndexOfAny("\"]},"u8) >= 0) _bias[id] = ClosingBias;
    }

    public Model Model { get; }
    public Tokenizer Tokenizer { get; }
    public WorkerPool Pool => _pool;

    /// <summary>One run at temperature 1 from a random 4-token prompt; both drawn from <paramref name="seed"/>.</summary>
    public GenerationResult Sample(G grammar, int seed, int maxTokens = 600)
    {
        int vocab = Model.Config.VocabSize;
        var session = new DecoderSession(Model, _pool, Spec.Context);
        var prompt = TinyModels.RandomPrompt(vocab, 4, seed);
        var request = new GenerationRequest
        {
            Prompt = prompt, MaxTokens = maxTokens, Grammar = grammar,
            Sampling = new SamplingOptions { Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = (ulong)seed },
        };
        var logits = new float[vocab];
        var biased = new float[vocab];
        session.Evaluate(prompt, logits);
        var state = new GenerationState(request, vocab, Tokenizer, null);
        var history = new List<int>(prompt);
        while (true)
        {
            for (int i = 0; i < vocab; i++) biased[i] = logits[i] + _bias[i];
            int token = state.Step(biased, history.ToArray(), session.Position >= Spec.Context, CancellationToken.None);
            if (token < 0) break;
            session.Evaluate([token], logits);
            history.Add(token);
        }
        return state.Complete(prompt.Length, TimeSpan.Zero, TimeSpan.Zero);
    }

    public void Dispose()
    {
        Model.Dispose();
        _pool.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class GrammarModelCollection : ICollectionFixture<GrammarTestModel>
{
    public const string Name = "grammar model";
}
