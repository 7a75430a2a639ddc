using System.Net;
using System.Net.Http.Json;
using ChatBridge.Http;
using ChatBridge.Tests.Realtime;

namespace ChatBridge.Tests.Widget;

/// <summary>A bridge that lets one site embed the widget.</summary>
public sealed class OneSiteBridge : BridgeApp
{
    public const string Site = "https://shop.example";
    public const string Stranger = "https://stranger.example";

    public OneSiteBridge() => Settings["ChatBridge:Widget:AllowedOrigins:0"] = Site;
}

public sealed class OriginCheckTests(OneSiteBridge app) : IClassFixture<OneSiteBridge>
{
    [Fact]
    public async Task A_message_from_a_site_not_listed_is_refused_with_a_403_and_not_stored()
    {
        var before = app.Count("web_chat_messages");

        var response = await Send(HttpMethod.Post, "/api/v1/?action=messages", OneSiteBridge.Stranger,
            JsonContent.Create(new { session_id = "session_stranger", message = "Hello" }));

        await response.AssertErrorAsync(403, Errors.OriginNotAllowed);
        // Readable by the refused page, so that the widget there can say why it stays away.
        Assert.Equal(OneSiteBridge.Stranger, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(before, app.Count("web_chat_messages"));
    }

    [Fact]
    public async Task A_listed_site_gets_its_answer_with_cors_for_its_own_origin()
    {
        var response = await Send(HttpMethod.Post, "/api/v1/?action=messages", OneSiteBridge.Site,
            JsonContent.Create(new { session_id = "session_listed", message = "Hello" }));

        await response.DataAsync();
        Assert.Equal(OneSiteBridge.Site, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Requests_without_an_origin_and_from_the_bridges_own_pages_are_unaffected()
    {
        await (await app.Anonymous().PostMessageAsync("session_no_origin", "From curl")).DataAsync();
        await (await app.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        await (await Send(HttpMethod.Get, "/api/v1/?action=history&session_id=session_no_origin", "http://localhost")).DataAsync();
    }

    [Fact]
    public async Task A_preflight_from_a_site_not_listed_is_refused_and_one_from_a_listed_site_allowed()
    {
        var refused = await Preflight(OneSiteBridge.Stranger);
        var allowed = await Preflight(OneSiteBridge.Site);

        await refused.AssertErrorAsync(403, Errors.OriginNotAllowed);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(OneSiteBridge.Site, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task A_websocket_upgrade_from_a_site_not_listed_is_refused_and_one_from_a_listed_site_opens()
    {
        var stranger = app.Server.CreateWebSocketClient();
        stranger.ConfigureRequest = request => request.Headers.Origin = OneSiteBridge.Stranger;
        var listed = app.Server.CreateWebSocketClient();
        listed.ConfigureRequest = request => request.Headers.Origin = OneSiteBridge.Site;

        var refusal = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => stranger.ConnectAsync(EventSocket.Address("session_ws_origin"), CancellationToken.None));
        using var socket = await listed.ConnectAsync(EventSocket.Address("session_ws_origin"), CancellationToken.None);

        Assert.Contains("403", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task The_loaders_check_answers_a_listed_site_and_refuses_a_stranger()
    {
        var listed = await Send(HttpMethod.Get, "/widget/config", OneSiteBridge.Site);
        var stranger = await Send(HttpMethod.Get, "/widget/config", OneSiteBridge.Stranger);

        Assert.Equal("/widget/", (await listed.DataAsync()).GetProperty("panel").GetString());
        Assert.Equal(OneSiteBridge.Site, listed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        await stranger.AssertErrorAsync(403, Errors.OriginNotAllowed);
    }

    [Fact]
    public async Task Only_the_panel_page_may_be_framed_and_only_by_the_listed_site()
    {
        var panel = await app.Anonymous().GetAsync("/widget/");
        var chat = await app.Anonymous().GetAsync("/");

        var policy = panel.Headers.GetValues("Content-Security-Policy").Single();
        Assert.EndsWith($"frame-ancestors 'self' {OneSiteBridge.Site}", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.False(panel.Headers.Contains("X-Frame-Options"));
        Assert.Contains("frame-ancestors 'none'", chat.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", chat.Headers.GetValues("X-Frame-Options").Single());
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string origin, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Origin", origin);
        return app.Anonymous().SendAsync(request);
    }

    private Task<HttpResponseMessage> Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/?action=messages");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return app.Anonymous().SendAsync(request);
    }
}
