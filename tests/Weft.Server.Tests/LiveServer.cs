// A running `weft serve` (in-process Kestrel on a free loopback port) over a temp models folder.
using Microsoft.AspNetCore.Builder;
using Weft.Models.Synthetic;
using Weft.Server;
using Weft.TestKit;

namespace Weft.Server.Tests;

public sealed class LiveServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveServer(WebApplication app, string folder, ServerOptions options)
    {
        _app = app;
        ModelsFolder = folder;
        Options = options;
        BaseAddress = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string ModelsFolder { get; }
    public ServerOptions Options { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    /// <summary>The server's services (e.g. to look at its state).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The real-vocabulary chat model the tests talk to.</summary>
    public static SyntheticModelSpec ChatSpec => new SyntheticModelSpec
    {
        Name = "serve-chat", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Seed = 71, Context = 512,
    }.WithLlamaVocabulary();

    /// <summary>A larger model, slow enough (milliseconds per token) for queueing and cancellation tests.</summary>
    public static SyntheticModelSpec SlowSpec => new SyntheticModelSpec
    {
        Name = "serve-slow", Embedding = 256, Heads = 8, KvHeads = 2, Layers = 4, FeedForward = 768, Seed = 72, Context = 1024,
    }.WithLlamaVocabulary();

    public static async Task<LiveServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "weft-serve-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.Copy(TinyModels.Write(ChatSpec), Path.Combine(folder, "chat.gguf"));
        File.Copy(TinyModels.Write(SlowSpec), Path.Combine(folder, "slow.gguf"));
        File.WriteAllBytes(Path.Combine(folder, "broken.gguf"), "GGUF\u0003\0\0\0not a model"u8.ToArray());
        // the chat database goes beside the models, never into the user's ~/.weft
        var options = new ServerOptions { Port = 0, ModelsDirectory = folder, DataDirectory = folder + "-data", Threads = 2 };
        if (configure != null) options = configure(options);
        WebApplication app;
        try
        {
            app = WeftServer.Create(options);
        }
        catch
        {
            Directory.Delete(folder, true);
            throw;
        }
        await app.StartAsync();
        return new LiveServer(app, folder, options);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(ModelsFolder, true); } catch (IOException) { }
        // a test that chose its own data folder (to restart on it) deletes it itself
        if (Options.DataDirectory == ModelsFolder + "-data" && Directory.Exists(Options.DataDirectory))
            try { Directory.Delete(Options.DataDirectory, true); } catch (IOException) { }
    }
}
