// The chat page in a real browser (Debian's Chromium driven by Playwright): pick a model, watch an answer stream in,
// stop one, reload, reopen the conversation from the sidebar, and use the page at phone width. Screenshots are kept.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Weft.Server.Tests;

public class ChatPageBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const float Patience = 30_000; // milliseconds a step may wait for the page

    [Fact]
    public async Task ChatStreamsStopsAndComesBackAfterAReload()
    {
        EnsureChromium();
        await using var server = await LiveServer.StartAsync();
        string baseUrl = server.BaseAddress.ToString();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 820 },
            ReducedMotion = ReducedMotion.Reduce, // no sliding drawer half-way through a screenshot
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        // a script error or a policy violation on the page fails the test
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console: " + m.Text); };

        await page.GotoAsync(baseUrl);
        await page.Locator("body[data-ready='true']").WaitForAsync();

        // the picker lists the models with their facts; the broken file is there but cannot be picked
        StringAssert(await page.Locator("#model option[value='chat']").TextContentAsync(), "llama", "F32", "params");
        Assert.True(await page.Locator("#model option[value='broken']").IsDisabledAsync());
        await page.SelectOptionAsync("#model", "chat");
        StringAssert(await page.Locator("#model-info").TextContentAsync(), "context 512");
        await page.ClickAsync("#settings-toggle");
        await page.FillAsync("#max-tokens", "32");
        await page.FillAsync("#system-prompt", "You are a helpful assistant.");

        // record the answer's length on every change while it streams
        await page.EvaluateAsync("""
            () => {
              window.lengths = [];
              new MutationObserver(() => {
                const body = document.querySelector('.msg.assistant:last-of-type .body');
                if (body) window.lengths.push(body.textContent.length);
              }).observe(document.getElementById('messages'), { childList: true, subtree: true, characterData: true });
            }
            """);
        await page.FillAsync("#prompt", "Tell me about rivers");
        await page.PressAsync("#prompt", "Enter");
        var first = page.Locator(".msg.assistant").First;
        await page.Locator(".msg.assistant[data-state='done']").WaitForAsync();
        string answer = (await first.Locator(".body").InnerTextAsync()).Trim();
        Assert.NotEmpty(answer);
        var lengths = (await page.EvaluateAsync<int[]>("() => window.lengths")).Where(n => n > 0).Distinct().ToList();
        Assert.True(lengths.Count >= 3, $"the answer should grow in steps, saw lengths [{string.Join(", ", lengths)}]");
        Assert.Matches(new Regex(@"^\d+\.\d tokens/s$"), (await first.Locator(".meta .speed").InnerTextAsync()).Trim());
        Assert.Equal("Tell me about rivers", (await page.Locator(".msg.user .body").First.InnerTextAsync()).Trim());

        // a long answer from the slower model, stopped with Escape as soon as it starts
        await page.SelectOptionAsync("#model", "slow");
        await page.FillAsync("#max-tokens", "800");
        await page.FillAsync("#prompt", "Now go on for a long time");
        await page.Keyboard.PressAsync("Enter");
        var second = page.Locator(".msg.assistant").Nth(1);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.msg.assistant')[1]?.querySelector('.body').textContent.length > 0");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator(".msg.assistant[data-state='stopped']").WaitForAsync();
        Assert.Equal("stopped", (await second.Locator(".meta .stopped").InnerTextAsync()).Trim());
        await page.Locator("#send").WaitForAsync(); // the composer is ready again
        string stoppedText = (await second.Locator(".body").InnerTextAsync()).Trim();

        // a fresh page: the conversation is in the sidebar and opens with every message
        await page.GotoAsync(baseUrl);
        await page.Locator("body[data-ready='true']").WaitForAsync();
        Assert.Equal(0, await page.Locator(".msg").CountAsync());
        var item = page.Locator("#conversation-list li", new PageLocatorOptions { HasText = "Tell me about rivers" });
        await item.Locator("button.open").ClickAsync();
        await page.Locator(".msg.assistant").Nth(1).WaitForAsync();
        Assert.Equal(["Tell me about rivers", "Now go on for a long time"],
            (await page.Locator(".msg.user .body").AllInnerTextsAsync()).Select(t => t.Trim()));
        var reopened = await page.Locator(".msg.assistant .body").AllInnerTextsAsync();
        Assert.Equal(answer, reopened[0].Trim());
        Assert.Equal(stoppedText, reopened[1].Trim());
        Assert.Matches(new Regex(@"tokens/s"), await page.Locator(".msg.assistant .meta").First.InnerTextAsync());
        Assert.Equal("You are a helpful assistant.", await page.InputValueAsync("#system-prompt"));
        Assert.Equal("slow", await page.InputValueAsync("#model")); // the model it last talked to

        // rename in place: the new title is saved and listed
        await item.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Rename" }).ClickAsync();
        await page.FillAsync("#conversation-list input.rename", "Rivers of the world");
        await page.PressAsync("#conversation-list input.rename", "Enter");
        var renamed = page.Locator("#conversation-list li button.open", new PageLocatorOptions { HasText = "Rivers of the world" });
        await renamed.WaitForAsync();

        // the search box filters the sidebar
        await page.FillAsync("#search", "no conversation says this");
        await page.Locator("#conversation-empty").WaitForAsync();
        Assert.Equal(0, await page.Locator("#conversation-list li").CountAsync());
        await page.FillAsync("#search", "RIVERS");
        await renamed.WaitForAsync();

        // the renderer escapes markup and links only safe schemes
        string html = await page.EvaluateAsync<string>("""
            async () => (await import('/ui/markdown.js')).renderMarkdown('<img src=x onerror=alert(1)> **bold** [a](javascript:alert(1)) [b](https://example.org)\n```\n<b>x</b>\n```')
            """);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:alert(1)\"", html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;</code></pre>", html, StringComparison.Ordinal);

        string wide = await Screenshot(page, "chat-page.png");

        // a saved assistant starts a new chat with its model, system prompt and settings
        await page.ClickAsync("#new-assistant");
        await page.FillAsync("#asst-name", "Geographer");
        await page.SelectOptionAsync("#asst-model", "chat");
        await page.FillAsync("#asst-system", "You know every river.");
        await page.FillAsync("#asst-max-tokens", "16");
        await page.ClickAsync("#assistant-form button[type='submit']");
        await page.Locator("#assistant-list li button.open", new PageLocatorOptions { HasText = "Geographer" }).ClickAsync();
        await page.Locator("#welcome").WaitForAsync();
        Assert.Equal("Assistant: Geographer", await page.Locator("#assistant-badge").InnerTextAsync());
        Assert.Equal("You know every river.", await page.InputValueAsync("#system-prompt"));
        Assert.Equal("16", await page.InputValueAsync("#max-tokens"));
        Assert.Equal("chat", await page.InputValueAsync("#model"));

        // at phone width the sidebar is a drawer: hidden until the menu button opens it, closed by Escape
        await page.SetViewportSizeAsync(375, 740);
        await page.Locator("#sidebar").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });
        Assert.True(await page.Locator("#menu").IsVisibleAsync());
        Assert.True(await page.Locator("#send").IsVisibleAsync());
        string narrow = await Screenshot(page, "chat-page-375.png");
        await page.ClickAsync("#menu");
        await page.Locator("#sidebar").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        Assert.Equal("true", await page.GetAttributeAsync("#menu", "aria-expanded"));
        string drawer = await Screenshot(page, "chat-page-375-sidebar.png");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#sidebar").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        output.WriteLine($"screenshots: {wide} {narrow} {drawer}");
    }

    private static void StringAssert(string? text, params string[] parts)
    {
        Assert.NotNull(text);
        foreach (string part in parts) Assert.Contains(part, text, StringComparison.Ordinal);
    }

    /// <summary>Saves a screenshot under the test output's artifacts/ folder and prints where.</summary>
    private async Task<string> Screenshot(IPage page, string name)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine("screenshot: " + path);
        Console.WriteLine("screenshot: " + path);
        return path;
    }

    /// <summary>Playwright drives the system's Chromium and never downloads a browser of its own.</summary>
    internal static void EnsureChromium()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (File.Exists(Chromium)) return;
        using var install = Process.Start(new ProcessStartInfo("bash", ["-c", "apt-get update -qq && apt-get install -y -qq chromium"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string log = install.StandardOutput.ReadToEnd() + install.StandardError.ReadToEnd();
        install.WaitForExit();
        Assert.True(install.ExitCode == 0 && File.Exists(Chromium), $"Chromium is missing and could not be installed:\n{log}");
    }
}
