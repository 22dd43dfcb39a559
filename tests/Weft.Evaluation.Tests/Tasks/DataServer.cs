// A real HTTP server (Kestrel on 127.0.0.1, port 0) serving task data files by path, with knobs for failures:
// a status code instead of the file, an HTML page instead of the data.
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Weft.Evaluation.Tests.Tasks;

internal sealed class DataServer : IAsyncDisposable
{
    private WebApplication app = null!;

    /// <summary>Path ("/x.jsonl") → bytes served with 200.</summary>
    public Dictionary<string, byte[]> Files { get; } = [];

    /// <summary>Answer every request with this status and no body (0: serve the files).</summary>
    public int Status { get; set; }

    /// <summary>Answer every request with a 200 HTML page (a login or proxy page).</summary>
    public bool AnswerHtml { get; set; }

    /// <summary>Paths of the GET requests seen, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<DataServer> StartAsync()
    {
        var s = new DataServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        s.app = builder.Build();
        s.app.Run(s.Handle);
        await s.app.StartAsync();
        s.Url = s.app.Urls.First().TrimEnd('/');
        return s;
    }

    private async Task Handle(HttpContext ctx)
    {
        Requests.Enqueue(ctx.Request.Path.Value!);
        if (Status != 0) { ctx.Response.StatusCode = Status; return; }
        if (AnswerHtml)
        {
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync("\n<!DOCTYPE html><html><body>Please sign in</body></html>");
            return;
        }
        if (!Files.TryGetValue(ctx.Request.Path.Value!, out var bytes)) { ctx.Response.StatusCode = 404; return; }
        ctx.Response.ContentType = "application/octet-stream";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
