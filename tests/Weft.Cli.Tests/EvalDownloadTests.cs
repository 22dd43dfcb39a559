// `weft eval` on a task whose file is missing: downloaded from the task's URL (a Kestrel server on loopback) into
// $WEFT_HOME/data with progress on stderr, read from there the next time; --offline and WEFT_OFFLINE=1 keep the
// missing-file error.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class EvalDownloadTests : IAsyncLifetime
{
    private const string Rows = """
        {"q": "Where do fish live?", "a": "in water", "b": "in trees", "label": 0}
        {"q": "What is hot?", "a": "ice", "b": "fire", "label": 1}

        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("weft-evaldl-").FullName;
    private WebApplication _server = null!;
    private int _requests;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Run(async ctx =>
        {
            Interlocked.Increment(ref _requests);
            if (ctx.Request.Path != "/tiny.jsonl") { ctx.Response.StatusCode = 404; return; }
            await ctx.Response.WriteAsync(Rows.ReplaceLineEndings("\n"));
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Model() => TinyModels.Write(new SyntheticModelSpec
    {
        Name = "cli-evaldl", Embedding = 32, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 64, Seed = 92, Context = 256,
    });

    private string TaskFile()
    {
        string path = Path.Combine(_dir, "tiny-choice.yaml");
        File.WriteAllText(path, $$$"""
            task: tiny-choice
            version: "1"
            kind: multiple_choice
            dataset:
              format: jsonl
              file: tiny.jsonl.gz
              url: {{{_server.Urls.First().TrimEnd('/')}}}/tiny.jsonl
            doc_to_text: "Q: {{ q }}\nA:"
            doc_to_choice: "[a, b]"
            doc_to_target: "label"
            """);
        return path;
    }

    private WeftResult Eval(string home, string? offlineVariable, params string[] extra) => WeftProcess.RunWithEnvironment(
        new Dictionary<string, string?> { ["WEFT_HOME"] = home, ["WEFT_OFFLINE"] = offlineVariable },
        ["eval", Model(), "--task", TaskFile(), "--no-speed", "--no-store", "-t", "1", .. extra]);

    [Fact]
    public void Downloads_once_into_weft_home_and_offline_keeps_the_old_error()
    {
        string home = Path.Combine(_dir, "home");
        var first = Eval(home, null);
        Assert.True(first.Exit == 0, $"exit {first.Exit}: {first.Stderr}");
        Assert.Contains("downloading", first.Stderr);
        Assert.Contains("tiny.jsonl", first.Stderr);
        Assert.Equal(Rows.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(home, "data", "tiny.jsonl")));
        Assert.Equal(1, _requests);

        var second = Eval(home, null, "--offline"); // the cached copy is a local file: offline is fine
        Assert.True(second.Exit == 0, $"exit {second.Exit}: {second.Stderr}");
        Assert.DoesNotContain("downloading", second.Stderr);
        Assert.Equal(1, _requests);

        string fresh = Path.Combine(_dir, "fresh");
        foreach (var run in new[] { Eval(fresh, null, "--offline"), Eval(fresh, "1") })
        {
            WeftProcess.AssertUserError(run, "tiny-choice: no data: tiny.jsonl.gz is not in");
            Assert.Contains("give --data FILE or --data-dir DIR", run.Stderr);
        }
        Assert.Equal(1, _requests);
    }
}
