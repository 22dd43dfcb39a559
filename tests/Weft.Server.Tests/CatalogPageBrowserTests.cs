// The catalog page in a real browser (Debian's Chromium driven by Playwright): filter the catalog, open a card's
// lineage and openness scorecard, pull a model with the page's button against a fake Hub, and chat with it.
using Microsoft.Playwright;
using Weft.Catalog.Hub;
using Weft.Catalog.Tests.Hub;
using Xunit.Abstractions;

namespace Weft.Server.Tests;

public sealed class CatalogPageBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private FakeHub hub = null!;
    private readonly string cache = Directory.CreateTempSubdirectory("weft-page-cache-").FullName;

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        hub.RepoName = CatalogApiTests.BioRepo;
        hub.Files[CatalogApiTests.BioFile] = CatalogApiTests.BioModel();
        hub.BodyDelay = TimeSpan.FromMilliseconds(600); // long enough for the page to show the pull running
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        try { Directory.Delete(cache, true); } catch (IOException) { }
    }

    [Fact]
    public async Task FilterOpenACardPullItAndChatWithIt()
    {
        ChatPageBrowserTests.EnsureChromium();
        await using var server = await LiveServer.StartAsync(o => o with
        {
            Hub = new HubOptions { HfEndpoint = hub.HubUrl, HfCache = Path.Combine(cache, "hf"), OllamaRegistry = hub.HubUrl, OllamaModels = Path.Combine(cache, "ollama") },
        });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console: " + m.Text); };

        await page.GotoAsync(new Uri(server.BaseAddress, "/catalog").ToString());
        await page.Locator("body[data-ready='true']").WaitForAsync();
        var cards = page.Locator("#cards article.card");
        int all = await cards.CountAsync();
        Assert.True(all >= 20, $"the whole catalog shows at first, saw {all} cards");
        Assert.Equal(1, await page.Locator("#cards article[data-id='olmo-7b']").CountAsync());

        // task and licence filters narrow the cards; the status line counts them
        await page.SelectOptionAsync("#f-task", "medical");
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#cards article.card').length < {all}");
        Assert.Equal(1, await page.Locator("#cards article[data-id='biomistral-7b']").CountAsync());
        Assert.Equal(0, await page.Locator("#cards article[data-id='llama-2-7b']").CountAsync());
        int medical = await cards.CountAsync();
        Assert.Contains($"{medical} model", await page.Locator("#status").InnerTextAsync());
        await page.FillAsync("#f-search", "no model is called this");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#cards article.card').length === 0");
        await page.FillAsync("#f-search", "bio");
        await page.Locator("#cards article[data-id='biomistral-7b']").WaitForAsync();

        // the detail panel: lineage up to Mistral 7B, five openness components, files with a pull button
        await page.Locator("#cards article[data-id='biomistral-7b'] button.details").ClickAsync();
        await page.Locator("#detail:not([hidden]) h2", new() { HasTextString = "BioMistral" }).WaitForAsync();
        Assert.Equal(1, await page.Locator("#detail .tree button.node[data-id='mistral-7b']").CountAsync());
        Assert.Equal(1, await page.Locator("#detail .tree .current > button.node[data-id='biomistral-7b']").CountAsync());
        Assert.Equal(5, await page.Locator("#detail table.scorecard tr").CountAsync());
        Assert.Contains("MOF class", await page.Locator("#detail .open-line").InnerTextAsync());
        Assert.Contains("none recorded", await page.Locator("#detail").InnerTextAsync()); // BioMistral's card lists no scores
        // walk the lineage: the base's panel has its published scores, and its tree leads back down
        await page.Locator("#detail .tree button.node[data-id='mistral-7b']").ClickAsync();
        await page.Locator("#detail h2", new() { HasTextString = "Mistral-7B-v0.1" }).WaitForAsync();
        Assert.True(await page.Locator("#detail table.scores tr").CountAsync() >= 1);
        await page.Locator("#detail .tree button.node[data-id='biomistral-7b']").ClickAsync();
        await page.Locator("#detail h2", new() { HasTextString = "BioMistral" }).WaitForAsync();
        var external = page.Locator("#detail a[target='_blank']").First;
        Assert.StartsWith("https://", await external.GetAttributeAsync("href"));

        // pull from the Q4_K_M row: progress shows, then the model is on this server and can be chatted with
        await page.Locator("#detail tr[data-quant='Q4_K_M'] button.pull-button").ClickAsync();
        await page.Locator("#detail .pull[data-status='running']").WaitForAsync();
        var done = page.Locator("#detail .pull[data-status='done']");
        await done.WaitForAsync();
        string model = $"hf.co/{CatalogApiTests.BioRepo}/{CatalogApiTests.BioFile}";
        Assert.Contains(model, await done.InnerTextAsync());
        await page.Locator($"#local li[data-id='{model}']").WaitForAsync();
        Assert.Equal(1, await page.Locator("#cards article[data-id='biomistral-7b'] .chip.local").CountAsync());
        Assert.Contains("weft eval openai:", await page.Locator($"#local li[data-id='{model}'] code.cmd").TextContentAsync());
        await Screenshot(page, "catalog-page.png");

        // a bad spec in the free-form box is explained, not thrown
        await page.FillAsync("#pull-spec", "ftp://nowhere");
        await page.ClickAsync("#pull-spec-go");
        await page.Locator("#pulls .pull[data-status='failed']", new() { HasTextString = "valid forms" }).WaitForAsync();
        // the browser logs the refused request itself; that one line is expected, anything else is not
        Assert.Single(problems, p => p.Contains("status of 400", StringComparison.Ordinal));
        problems.RemoveAll(p => p.Contains("status of 400", StringComparison.Ordinal));

        // "Chat with it" opens the chat page with that model picked
        await done.Locator("a.chat").ClickAsync();
        await page.Locator("body[data-ready='true']").WaitForAsync();
        Assert.Equal(model, await page.InputValueAsync("#model"));
        await page.FillAsync("#prompt", "hello");
        await page.PressAsync("#prompt", "Enter");
        await page.Locator(".msg.assistant[data-state='done']").WaitForAsync();
        Assert.Empty(problems);
    }

    private async Task Screenshot(IPage page, string name)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine("screenshot: " + path);
    }
}
