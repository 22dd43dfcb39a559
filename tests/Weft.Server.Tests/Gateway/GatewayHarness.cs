// A gateway under test: a live Weft server whose endpoints file names fake upstreams, plus small waits and readers.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Weft.Server.Remote;

namespace Weft.Server.Tests.Gateway;

internal sealed class GatewayHarness : IAsyncDisposable
{
    private GatewayHarness(LiveServer server, string file)
    {
        Server = server;
        File = file;
    }

    public LiveServer Server { get; }
    public string File { get; }
    public HttpClient Http => Server.Http;
    public RemoteEndpoints Remote => (RemoteEndpoints)Server.Services.GetService(typeof(RemoteEndpoints))!;

    public static async Task<GatewayHarness> StartAsync(string yaml, Func<ServerOptions, ServerOptions>? configure = null)
    {
        string file = Path.Combine(Path.GetTempPath(), "weft-endpoints-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await System.IO.File.WriteAllTextAsync(file, yaml);
        var server = await LiveServer.StartAsync(o => (configure ?? (x => x))(o with { EndpointsFile = file }));
        return new GatewayHarness(server, file);
    }

    /// <summary>An endpoints file over the given upstreams, each serving its models (or discovered when none are named).</summary>
    public static string Yaml(double healthInterval, params (FakeUpstream Up, string? KeyEnv, bool Declare)[] endpoints)
    {
        var sb = new StringBuilder();
        sb.Append("health_interval: ").Append(healthInterval.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("endpoints:\n");
        foreach (var (up, keyEnv, declare) in endpoints)
        {
            sb.Append("  - name: ").Append(up.Name).Append('\n');
            sb.Append("    url: ").Append(up.BaseUrl).Append('\n');
            if (keyEnv != null) sb.Append("    api_key_env: ").Append(keyEnv).Append('\n');
            if (declare) sb.Append("    models: [").Append(string.Join(", ", up.Models)).Append("]\n");
            sb.Append("    price: { input: 0.1, output: 0.3 }\n");
        }
        return sb.ToString();
    }

    public static Task<(System.Net.HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> ChatAsync(HttpClient http, string model, string? auth = null) =>
        RawHttp.PostAsync(http, "/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", auth);

    /// <summary>Waits until the condition holds, failing the test after the timeout.</summary>
    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"waited {timeout.TotalSeconds} s for {what}");
            await Task.Delay(50);
        }
    }

    public RemoteEndpoint Endpoint(string name) => Remote.All.Single(e => e.Name == name);

    /// <summary>This server's own member of the pool of a model id it shares with remote replicas.</summary>
    public LocalMember LocalMember(string id) => ((LocalMembers)Server.Services.GetService(typeof(LocalMembers))!).For(id);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try { System.IO.File.Delete(File); } catch (IOException) { }
    }
}
