namespace ChatBridge.Tests.Browser.Widget;

/// <summary>Pages of a made-up shop that embeds the widget, in the ways a site owner can write it.</summary>
internal static class HostPages
{
    /// <summary>The documented snippet: the queue line first, then the async loader.</summary>
    public static string QueueFirst(Uri bridge, string options, string calls = "") => $$"""
        <script>
          window.SanctumChat = window.SanctumChat || [];
          SanctumChat.push(["init", {{options}}]);
          {{calls}}
        </script>
        <script src="{{bridge}}widget.js" async></script>
        """;

    /// <summary>The loader first (not async, so it surely runs first), then the queue line: push must still work.</summary>
    public static string LoaderFirst(Uri bridge, string options, string calls = "") => $$"""
        <script src="{{bridge}}widget.js"></script>
        <script>
          window.SanctumChat = window.SanctumChat || [];
          SanctumChat.push(["init", {{options}}]);
          {{calls}}
        </script>
        """;

    /// <summary>A page of the shop with <paramref name="embed"/> at the end of its body.</summary>
    public static string Page(string embed, string head = "", string title = "Northwind Outfitters") => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{{title}}</title>
          <style>
            :root { color-scheme: light dark; font-family: Georgia, serif; }
            body { margin: 0; background: #faf7f2; color: #2b2620; }
            header { padding: 18px 40px; background: #2f4f3a; color: #f3efe6; font-size: 22px; letter-spacing: .04em; }
            main { max-width: 760px; margin: 40px auto; padding: 0 24px; line-height: 1.6; }
            h1 { font-size: 34px; margin: 0 0 12px; }
            .card { padding: 18px 22px; border: 1px solid #d9d2c5; border-radius: 8px; background: #fff; margin: 18px 0; }
            @media (prefers-color-scheme: dark) {
              body { background: #1b1d1c; color: #e8e4dc; }
              header { background: #14261b; }
              .card { background: #252826; border-color: #3a3e3b; }
            }
          </style>
          {{head}}
        </head>
        <body>
          <header>Northwind Outfitters</header>
          <main>
            <h1>{{title}}</h1>
            <p>Boots, packs and tents for the long trail. Questions about sizes, shipping or returns? Ask us in the chat.</p>
            <div class="card"><strong>Free returns</strong> within 60 days on everything we sell.</div>
            <div class="card"><strong>Trail-tested</strong>: every pack spends a season in the hills before it reaches the shop.</div>
            <p id="host-text">This paragraph belongs to the host page.</p>
          </main>
          {{embed}}
        </body>
        </html>
        """;

    /// <summary>What a site needs to allow when it sends a Content-Security-Policy (docs/WIDGET.md).</summary>
    public static string PolicyFor(Uri bridge, bool inlineScript)
    {
        var origin = bridge.GetLeftPart(UriPartial.Authority);
        var inline = inlineScript ? " 'unsafe-inline'" : "";
        return $"default-src 'self'; script-src 'self'{inline} {origin}; style-src 'self' 'unsafe-inline'; "
            + $"connect-src 'self' {origin}; frame-src {origin}";
    }
}
