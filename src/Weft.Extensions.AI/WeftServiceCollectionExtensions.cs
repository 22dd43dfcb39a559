// services.AddWeftChatClient(modelPath): one model file or checkpoint folder as IChatClient and
// IEmbeddingGenerator, in process, loaded on first use and freed with the service provider.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Weft.Server;
using Weft.Server.DotNetAi;
using Weft.Server.Hosting;

namespace Weft.Extensions.AI;

/// <summary>Registers Weft's Microsoft.Extensions.AI clients with a service collection.</summary>
public static class WeftServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IChatClient"/> and <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> singletons
    /// over the model at <paramref name="modelPath"/> (a .gguf file or a Hugging Face checkpoint folder). The model is
    /// loaded on the first call, through the same chat template, batch scheduler and sampling as `weft serve`.</summary>
    /// <exception cref="FileNotFoundException">no file or folder at <paramref name="modelPath"/></exception>
    public static IServiceCollection AddWeftChatClient(this IServiceCollection services, string modelPath, Action<WeftClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var options = new WeftClientOptions();
        configure?.Invoke(options);
        var (directory, id) = Locate(modelPath);
        var serverOptions = new ServerOptions
        {
            ModelsDirectory = directory,
            Threads = Math.Max(1, options.Threads),
            Parallel = Math.Max(1, options.Parallel),
            ContextSize = Math.Max(0, options.ContextSize),
            QueueLimit = Math.Max(1, options.QueueLimit),
        };
        services.AddSingleton(_ => new WeftModelHost(new ModelPool(new ModelCatalog(directory), serverOptions), id));
        services.AddSingleton<IChatClient>(sp => new WeftChatClient(sp.GetRequiredService<WeftModelHost>().Pool, id));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => new WeftEmbeddingGenerator(sp.GetRequiredService<WeftModelHost>().Pool, id));
        return services;
    }

    /// <summary>The folder a catalog reads and the model's id in it: a GGUF file's name without .gguf, a checkpoint
    /// folder's name.</summary>
    private static (string Directory, string Id) Locate(string modelPath)
    {
        string full = Path.GetFullPath(modelPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (File.Exists(full) && full.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            return (Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full));
        if (Directory.Exists(full))
            return (Path.GetDirectoryName(full)!, Path.GetFileName(full));
        throw new FileNotFoundException($"no .gguf file or checkpoint folder at {modelPath}", modelPath);
    }
}

/// <summary>The model pool behind the registered clients; disposed (weights unmapped) with the service provider.</summary>
public sealed class WeftModelHost(ModelPool pool, string modelId) : IDisposable
{
    /// <summary>The pool holding the registered model.</summary>
    public ModelPool Pool { get; } = pool;

    /// <summary>The registered model's id in <see cref="Pool"/>.</summary>
    public string ModelId { get; } = modelId;

    /// <inheritdoc/>
    public void Dispose() => Pool.Dispose();
}
