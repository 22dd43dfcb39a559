// The leaderboard: /api/leaderboard reads the stored evaluation runs from the data folder, and the /leaderboard page
// shows them in a table that sorts when a heading is clicked, with the trade-off charts (real browser, Chromium).
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Weft.Evaluation.Results;
using Weft.Evaluation.Storage;

namespace Weft.Server.Tests;

public class LeaderboardTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static void Seed(string dataDirectory)
    {
        using var store = ResultStore.Open(Path.Combine(dataDirectory, ResultStore.FileName));
        (string Name, double Acc, double Ppl, long Bytes, double Tps)[] models =
            [("tiny-f16", 0.42, 11.0, 4 << 20, 40), ("tiny-q8_0", 0.41, 11.2, 2 << 20, 70), ("tiny-q4_0", 0.30, 14.0, 1 << 20, 90)];
        foreach (var m in models)
        {
            double cost = Weft.Evaluation.Reports.Cost.PerMillion(0.1, m.Tps);
            store.Save(new ModelFacts(m.Name, "gguf", m.Name + ".gguf", m.Bytes, 1000, "F16", m.Tps * 5, m.Tps, null, cost / 5, cost, cost, "test machine"));
            store.Save(new TaskRun(m.Name, "kjv-verse-choice", "1", "acc", true, new Dictionary<string, double> { ["acc"] = m.Acc, ["acc_stderr"] = 0.01 },
                [new ItemResult(0, 0, 0, [-1, -2], [1, 1])], 100, 1.5, DateTimeOffset.UtcNow));
            store.Save(new TaskRun(m.Name, "kjv-perplexity", "1", "ppl", false, new Dictionary<string, double> { ["ppl"] = m.Ppl }, [], 1, 2, DateTimeOffset.UtcNow));
        }
    }

    [Fact]
    public async Task ApiReturnsTheStoredRunsRanked()
    {
        await using var server = await LiveServer.StartAsync();
        var empty = await server.Http.GetAsync("/api/leaderboard");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        using (var doc = JsonDocument.Parse(await empty.Content.ReadAsStringAsync()))
            Assert.Empty(doc.RootElement.GetProperty("rows").EnumerateArray());
        Assert.False(File.Exists(Path.Combine(server.Options.DataDirectory, ResultStore.FileName)), "reading creates no database");

        Seed(server.Options.DataDirectory);
        var res = await server.Http.GetAsync("/api/leaderboard");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.StartsWith("application/json", res.Content.Headers.ContentType!.ToString());
        using var board = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        Assert.Equal(["kjv-perplexity", "kjv-verse-choice"], board.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        var rows = board.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["tiny-f16", "tiny-q8_0", "tiny-q4_0"], rows.Select(r => r.GetProperty("model").GetProperty("model").GetString()));
        Assert.Equal((1.0 + 0.42) / 2, rows[0].GetProperty("average").GetDouble(), 9);
        var run = rows[0].GetProperty("runs").GetProperty("kjv-verse-choice");
        Assert.Equal(0.42, run.GetProperty("metrics").GetProperty("acc").GetDouble());
        Assert.Empty(run.GetProperty("items").EnumerateArray()); // items stay in the database

        using var one = JsonDocument.Parse(await server.Http.GetStringAsync("/api/leaderboard?task=kjv-perplexity"));
        Assert.Equal(["kjv-perplexity"], one.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task PageIsServedUnderThePolicyAndLinkedFromTheChatPage()
    {
        await using var server = await LiveServer.StartAsync();
        var page = await server.Http.GetAsync("/leaderboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/ui/leaderboard.js", html);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/ui/leaderboard.js")).StatusCode);
        Assert.Contains("href=\"/leaderboard\"", await server.Http.GetStringAsync("/"));
    }

    [Fact]
    public async Task BrowserShowsTheTableSortsByAHeaderAndDrawsTheCharts()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(Chromium), $"{Chromium} is needed for the browser test");
        await using var server = await LiveServer.StartAsync();
        Seed(server.Options.DataDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console: " + m.Text); };

        await page.GotoAsync(new Uri(server.BaseAddress, "/leaderboard").ToString());
        await page.Locator("#board tbody tr").First.WaitForAsync();
        async Task<string[]> Models() => (await page.Locator("#board tbody tr td:first-child").AllInnerTextsAsync()).Select(s => s.Trim()).ToArray();
        Assert.Equal(["tiny-f16", "tiny-q8_0", "tiny-q4_0"], await Models());

        var speed = page.Locator("#board thead th", new() { HasTextString = "gen tok/s" });
        await speed.ClickAsync();
        Assert.Equal(["tiny-q4_0", "tiny-q8_0", "tiny-f16"], await Models()); // fastest first
        Assert.Equal("descending", await speed.GetAttributeAsync("aria-sort"));
        await speed.ClickAsync();
        Assert.Equal(["tiny-f16", "tiny-q8_0", "tiny-q4_0"], await Models());
        await page.Locator("#board thead th", new() { HasTextString = "model" }).ClickAsync();
        Assert.Equal(["tiny-q8_0", "tiny-q4_0", "tiny-f16"], await Models()); // names, descending

        Assert.Equal(3, await page.Locator("#charts svg").CountAsync());
        Assert.Equal(9, await page.Locator("#charts svg circle").CountAsync());
        Assert.True(await page.Locator("#charts svg circle.frontier").CountAsync() >= 3);
        Assert.Empty(problems);
    }
}
