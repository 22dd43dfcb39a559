// Compare mode inside the chat page, in a real browser (Debian's Chromium): two models answer one message side by
// side, one is kept, and the conversation continues with that answer and that model — also after a reload.
using Microsoft.Playwright;

namespace Weft.Server.Tests;

public class ChatCompareBrowserTests
{
    [Fact]
    public async Task TwoModelsAnswerSideBySideAndTheKeptOneContinuesTheConversation()
    {
        await using var server = await LiveServer.StartAsync();
        var (playwright, browser, page, problems) = await ArenaPageBrowserTests.Open(server, "/");
        using var _ = playwright;
        await using var __ = browser;
        await page.SelectOptionAsync("#model", "chat");
        await page.ClickAsync("#settings-toggle");
        await page.FillAsync("#max-tokens", "6");
        await page.FillAsync("#temperature", "0");
        await page.ClickAsync("#compare-add");
        await page.SelectOptionAsync("#compare-models select >> nth=0", "slow");
        Assert.Equal("true", await page.GetAttributeAsync("body", "data-comparing"));

        await page.FillAsync("#prompt", "Name a colour.");
        await page.PressAsync("#prompt", "Enter");
        await page.Locator(".msg.comparison .column[data-state='done'] >> nth=1").WaitForAsync();
        await page.Locator("body[data-busy='false']").WaitForAsync();
        Assert.Equal(["chat", "slow"], await page.Locator(".msg.comparison .column h3").AllInnerTextsAsync());
        foreach (var stats in await page.Locator(".msg.comparison .column .stats").AllInnerTextsAsync())
            Assert.Matches(@"^\d+ tokens · first token \d+ ms · [\d.]+ tok/s", stats);

        // another message waits for the choice
        await page.FillAsync("#prompt", "And another?");
        await page.PressAsync("#prompt", "Enter");
        await page.Locator("#error", new() { HasTextString = "Continue with this one" }).WaitForAsync();

        string kept = (await page.Locator(".msg.comparison .column >> nth=1").Locator(".body").InnerTextAsync()).Trim();
        await page.Locator(".msg.comparison .column >> nth=1").Locator("button.keep").ClickAsync();
        await page.Locator(".msg.comparison").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal("slow", await page.InputValueAsync("#model"));
        Assert.Equal(0, await page.Locator("#compare-models select").CountAsync());
        Assert.Equal(1, await page.Locator(".msg.assistant").CountAsync());
        if (kept.Length > 0) Assert.Equal(kept, (await page.Locator(".msg.assistant .body").InnerTextAsync()).Trim());

        // the choice was stored: a reload shows the same conversation with the kept model
        await page.ReloadAsync();
        await page.Locator("body[data-ready='true']").WaitForAsync();
        await page.Locator(".msg.user", new() { HasTextString = "Name a colour." }).WaitForAsync();
        Assert.Equal("slow", await page.InputValueAsync("#model"));
        Assert.Equal(1, await page.Locator(".msg.assistant").CountAsync());
        Assert.Empty(problems);
    }
}
