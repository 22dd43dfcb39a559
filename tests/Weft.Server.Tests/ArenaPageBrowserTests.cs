// The arena and compare pages in a real browser (Debian's Chromium driven by Playwright): a blind battle driven from
// the keyboard alone (two columns stream, a vote, the names revealed, the ratings updated), and three compare columns
// streaming side by side, one of which becomes an ordinary conversation.
using Microsoft.Playwright;

namespace Weft.Server.Tests;

public sealed class ArenaPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    internal static async Task<(IPlaywright, IBrowser, IPage, List<string>)> Open(LiveServer server, string path)
    {
        ChatPageBrowserTests.EnsureChromium();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console: " + m.Text); };
        await page.GotoAsync(new Uri(server.BaseAddress, path).ToString());
        await page.Locator("body[data-ready='true']").WaitForAsync();
        return (playwright, browser, page, problems);
    }

    /// <summary>Presses Tab until the element with <paramref name="id"/> has the focus.</summary>
    private static async Task TabTo(IPage page, string id)
    {
        for (int i = 0; i < 40; i++)
        {
            if (await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") == id) return;
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"Tab never reached #{id}");
    }

    [Fact]
    public async Task ABlindBattleFromTheKeyboardRevealsTheNamesAndUpdatesTheRatings()
    {
        await using var server = await LiveServer.StartAsync();
        var (playwright, browser, page, problems) = await Open(server, "/arena");
        using var _ = playwright;
        await using var __ = browser;
        Assert.Equal(2, await page.Locator(".pool-pick").CountAsync()); // chat and slow; the broken file is left out
        Assert.Contains("No votes yet", await page.Locator("#settled").InnerTextAsync());

        await TabTo(page, "max-tokens");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("6");
        await TabTo(page, "prompt");
        await page.Keyboard.TypeAsync("Say something.");
        await page.Keyboard.PressAsync("Enter");

        // both hidden answers finish, then the vote buttons open and the first takes the focus
        await page.Locator("#votes button[data-winner='a']:not([disabled])").WaitForAsync();
        Assert.Equal(2, await page.Locator(".column[data-state='done']").CountAsync());
        var heads = await page.Locator(".column h2").AllInnerTextsAsync();
        Assert.Equal(["Model A", "Model B"], heads);
        StringAssert.Matches(await page.Locator(".column[data-side='a'] .stats").InnerTextAsync(), @"^\d+ tokens");
        Assert.Equal("a", await page.EvaluateAsync<string>("() => document.activeElement?.dataset.winner ?? ''"));
        await page.Keyboard.PressAsync("Tab"); // to "B is better"
        await page.Keyboard.PressAsync("Enter");

        await page.Locator("#reveal:not([hidden])").WaitForAsync();
        string reveal = await page.Locator("#reveal").InnerTextAsync();
        Assert.Contains("B was better", reveal);
        heads = await page.Locator(".column h2").AllInnerTextsAsync();
        Assert.True(heads.SequenceEqual(["Model A: chat", "Model B: slow"]) || heads.SequenceEqual(["Model A: slow", "Model B: chat"]), string.Join(" | ", heads));
        string winner = heads[1].Split(": ")[1];
        await page.Locator("body[data-ratings='2']").WaitForAsync();
        var rows = page.Locator("#ratings tbody tr");
        Assert.Equal(2, await rows.CountAsync());
        Assert.Equal(winner, await rows.Nth(0).Locator("td").Nth(1).InnerTextAsync()); // the winner leads
        Assert.Contains("Not enough votes yet", await page.Locator("#settled").InnerTextAsync());
        Assert.Equal("prompt", await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));

        // the leaderboard page shows the same ratings
        await page.GotoAsync(new Uri(server.BaseAddress, "/leaderboard").ToString());
        await page.Locator("#arena tbody tr").Nth(1).WaitForAsync();
        Assert.Equal(winner, await page.Locator("#arena tbody tr").Nth(0).Locator("td").Nth(1).InnerTextAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ThreeColumnsStreamSideBySideAndOneBecomesAConversation()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 2 });
        var (playwright, browser, page, problems) = await Open(server, "/compare?models=chat,slow");
        using var _ = playwright;
        await using var __ = browser;
        Assert.Equal(["chat", "slow"], await page.Locator(".model-pick").EvaluateAllAsync<string[]>("s => s.map(x => x.value)"));
        await page.ClickAsync("#add-column");
        await page.SelectOptionAsync(".model-pick >> nth=2", "chat");
        await page.FillAsync("#max-tokens", "6");
        await page.FillAsync("#temperature", "0");
        await page.FillAsync("#prompt", "Name a colour.");
        await page.ClickAsync("#send");
        await page.Locator("body[data-answered='1']").WaitForAsync();

        Assert.Equal(3, await page.Locator(".column[data-state='done']").CountAsync());
        Assert.True(await page.Locator("#slot-note").IsHiddenAsync()); // two columns of chat, two slots: nobody waits
        var texts = await page.Locator(".column .body").AllInnerTextsAsync();
        Assert.Equal(texts[0], texts[2]); // the same model, greedy: the same answer
        foreach (var stats in await page.Locator(".column .stats").AllInnerTextsAsync())
            StringAssert.Matches(stats, @"^\d+ tokens · first token \d+ ms · [\d.]+ tok/s");

        await page.Locator(".column >> nth=1").Locator("button.keep").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/#"));
        await page.Locator("body[data-ready='true']").WaitForAsync();
        await page.Locator("#messages", new() { HasTextString = "Name a colour." }).WaitForAsync();
        Assert.Equal("slow", await page.InputValueAsync("#model"));
        string conversation = await page.Locator("#messages").InnerTextAsync();
        if (texts[1].Trim().Length > 0) Assert.Contains(texts[1].Trim(), conversation);
        Assert.Empty(problems);
    }

    private static class StringAssert
    {
        public static void Matches(string text, string pattern) =>
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, pattern), $"'{text}' does not match {pattern}");
    }
}
