using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatBridge.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class MarkdownTests(BrowserFixture browser, LiveBridge app) : BrowserTest(browser), IClassFixture<LiveBridge>
{
    private static readonly string LongLine = "const answer = [" + string.Join(", ", Enumerable.Range(1, 60)) + "];";

    internal static readonly string RichReply = $"""
        Here is **bold**, *emphasis* and `inline code`.

        - first item
        - second item

        1. one
        2. two

        > A quoted line.

        | Name | Score |
        |:-----|------:|
        | Ada  | 10    |

        See [the docs](https://example.com/docs).

        ```js
        {LongLine}
        ```
        """;

    private const string Attacks = """
        [click me](javascript:window.__xss=1)

        ![](x onerror=window.__xss=1)

        Inline: `<img src=x onerror=window.__xss=1>`

        ```html
        <img src=x onerror=window.__xss=1><script>window.__xss=1</script>
        ```

        Autolink: <javascript:window.__xss=1>

        [data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)

        [entity link](&#106;avascript:window.__xss=1)

        ![picture](javascript:window.__xss=1)

        <a href="javascript:window.__xss=1" onclick="window.__xss=1">raw anchor</a>

        <img src=x onerror=window.__xss=1>
        """;

    [Fact]
    public async Task Agent_reply_renders_as_Markdown_and_the_users_message_stays_plain_text()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var session = await chat.SessionIdAsync();
        await chat.SendAsync("**not bold** and `not code`");
        await Expect(chat.StatusOf(chat.UserMessages.Last)).ToHaveTextAsync("Sent");

        using var broca = app.Broca();
        await (await broca.PostReplyAsync(session, RichReply)).DataAsync();

        var reply = chat.AgentMessages.Locator(".bubble-text");
        await Expect(reply.Locator("strong")).ToHaveTextAsync("bold");
        await Expect(reply.Locator("em")).ToHaveTextAsync("emphasis");
        await Expect(reply.Locator("p > code")).ToHaveTextAsync("inline code");
        await Expect(reply.Locator("ul > li")).ToHaveTextAsync(["first item", "second item"]);
        await Expect(reply.Locator("ol > li")).ToHaveTextAsync(["one", "two"]);
        await Expect(reply.Locator("blockquote")).ToHaveTextAsync("A quoted line.");
        await Expect(reply.Locator("table th")).ToHaveTextAsync(["Name", "Score"]);
        await Expect(reply.Locator("table td.text-end")).ToHaveTextAsync("10");

        var link = reply.GetByRole(AriaRole.Link, new() { Name = "the docs" });
        await Expect(link).ToHaveAttributeAsync("href", "https://example.com/docs");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");

        var code = reply.Locator(".code-block pre");
        await Expect(code).ToHaveTextAsync(LongLine);
        await Expect(code).ToHaveAttributeAsync("tabindex", "0");
        await Expect(code).ToHaveCSSAsync("font-family", new System.Text.RegularExpressions.Regex("monospace"));
        // The long line scrolls inside the block; the page itself never scrolls sideways.
        Assert.True(await code.EvaluateAsync<bool>("pre => pre.scrollWidth > pre.clientWidth"));
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await code.FocusAsync();
        await code.PressAsync("End");
        await Expect(code).ToBeFocusedAsync();

        var copy = reply.GetByRole(AriaRole.Button, new() { Name = "Copy code" });
        await copy.ClickAsync();
        await Expect(reply.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        Assert.Equal(LongLine, (await chat.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).TrimEnd('\n'));

        var mine = chat.UserMessages.Locator(".bubble-text");
        await Expect(mine).ToHaveTextAsync("**not bold** and `not code`");
        await Expect(mine.Locator("strong, code")).ToHaveCountAsync(0);

        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(chat.AgentMessages.Locator(".bubble-text strong")).ToHaveTextAsync("bold");
        await Expect(chat.AgentMessages.Locator(".code-block pre")).ToHaveTextAsync(LongLine);
    }

    [Fact]
    public async Task Markdown_shaped_attacks_never_run_and_leave_no_dangerous_link_or_handler()
    {
        var chat = await ChatPage.OpenAsync(Browser, app);
        await chat.WaitUntilLiveAsync();
        var session = await chat.SessionIdAsync();
        using var broca = app.Broca();

        await (await broca.PostReplyAsync(session, Attacks)).DataAsync();

        var reply = chat.AgentMessages.Locator(".bubble-text");
        await Expect(reply.Locator("p > code")).ToHaveTextAsync("<img src=x onerror=window.__xss=1>");
        await Expect(reply.Locator(".code-block pre")).ToHaveTextAsync("<img src=x onerror=window.__xss=1><script>window.__xss=1</script>");
        await Expect(reply).ToContainTextAsync("<a href=\"javascript:window.__xss=1\" onclick=\"window.__xss=1\">raw anchor</a>");
        // The unsafe links are left as text the reader can see but not follow.
        await Expect(reply).ToContainTextAsync("click me");
        await Expect(reply).ToContainTextAsync("data link");
        await reply.GetByText("click me").ClickAsync();
        await reply.GetByText("raw anchor", new() { Exact = false }).ClickAsync();

        await AssertNothingDangerousAsync(chat.Page);
        await chat.Page.ReloadAsync();
        await chat.WaitUntilReadyAsync();
        await Expect(chat.AgentMessages).ToHaveCountAsync(1);
        await AssertNothingDangerousAsync(chat.Page);
    }

    private static async Task AssertNothingDangerousAsync(IPage page)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        await Expect(page.Locator("#transcript img, #transcript script, #transcript iframe")).ToHaveCountAsync(0);
        var handlers = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('*')].flatMap(node =>
                [...node.attributes].filter(a => a.name.toLowerCase().startsWith('on')).map(a => `${node.tagName} ${a.name}`))
            """);
        Assert.Empty(handlers);
        var badLinks = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[href], [src]')]
                .map(node => node.getAttribute('href') ?? node.getAttribute('src'))
                .filter(url => /^\s*(javascript|data|vbscript):/i.test(url) || /^(javascript|data|vbscript):/i.test(new URL(url, location.href).protocol))
            """);
        Assert.Empty(badLinks);
    }
}
