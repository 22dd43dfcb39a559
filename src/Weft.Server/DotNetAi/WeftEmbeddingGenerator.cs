// Microsoft.Extensions.AI's IEmbeddingGenerator over a model of a ModelPool, in process: the embeddings of
// POST /v1/embeddings (mean-pooled final hidden state after the output norm, unit length). Thread-safe.
using Microsoft.Extensions.AI;
using Weft.Server.Hosting;

namespace Weft.Server.DotNetAi;

public sealed class WeftEmbeddingGenerator(ModelPool pool, string modelId) : IEmbeddingGenerator<string, Embedding<float>>
{
    public string ModelId { get; } = modelId;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = await pool.GetAsync(options?.ModelId ?? ModelId);
        int width = model.Model.Config.EmbeddingLength;
        if (options?.Dimensions is { } dims && dims != width)
            throw new ArgumentException($"the embeddings of '{model.Entry.Id}' have {width} dimensions, not {dims}", nameof(options));
        var inputs = values.Select(v => v.Length > 0 ? model.Tokenizer.Encode(v, addSpecial: true, parseSpecial: true)
            : throw new ArgumentException("an input is an empty string", nameof(values))).ToList();
        foreach (var ids in inputs)
            if (ids.Length > model.ContextSize)
                throw new Weft.Models.ContextOverflowException($"an input has {ids.Length} tokens but the context of '{model.Entry.Id}' holds {model.ContextSize}");
        var vectors = await model.EmbedAsync(inputs, cancellationToken);
        int tokens = inputs.Sum(i => i.Length);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = model.Entry.Id, CreatedAt = created }))
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey != null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("weft", null, ModelId)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>The pool belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
