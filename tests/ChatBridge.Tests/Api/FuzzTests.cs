using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ChatBridge.Tests.Api;

/// <summary>Thousands of malformed requests against every action: never a 5xx, always the JSON envelope.</summary>
public sealed class FuzzTests
{
    private static readonly string[] Actions =
        ["messages", "responses", "history", "agents", "inbox", "outbox", "sessions", "session_messages", "config", "cleanup", "cleanup_logs"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

    [Fact]
    public async Task Malformed_requests_never_produce_a_server_error_and_the_service_stays_healthy()
    {
        using var app = new BridgeApp();
        var random = new Random(20261125);
        var clients = new[] { app.Anonymous(), app.Broca(), app.Admin() };
        await (await app.Anonymous().PostMessageAsync("session_fuzz_seed", "seed")).DataAsync();

        for (var i = 0; i < 2500; i++)
        {
            using var request = BuildRequest(random);
            var client = clients[random.Next(clients.Length)];
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True((int)response.StatusCode < 500, $"{request.Method} {request.RequestUri} gave {(int)response.StatusCode}: {text}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var body = JsonDocument.Parse(text).RootElement;
            Assert.Equal(response.IsSuccessStatusCode, body.GetProperty("success").GetBoolean());
        }

        var health = await app.Anonymous().GetAsync("/health");
        Assert.Equal(200, (int)health.StatusCode);
        var seed = await (await app.Anonymous().GetAsync("/api/v1/?action=history&session_id=session_fuzz_seed")).DataAsync();
        Assert.Equal("seed", seed.GetProperty("messages")[0].GetProperty("message").GetString());
    }

    /// <summary>
    /// U+0000 is text PostgreSQL cannot store: refused alike on both engines (CI runs this class on each), and nothing
    /// of the request is stored.
    /// </summary>
    [Theory]
    [InlineData("anonymous", "messages", """{"session_id": "session_nul", "message": "a\u0000b"}""", "Invalid message")]
    [InlineData("anonymous", "messages", """{"session_id": "session_nul", "message": "ok", "timestamp": "2026-12-06T10:00:00Z\u0000"}""", "Invalid timestamp")]
    [InlineData("broca", "outbox", """{"session_id": "session_nul_seed", "response": "\u0000"}""", "Invalid response")]
    [InlineData("admin", "reply", """{"session_id": "session_nul_seed", "response": "x\u0000"}""", "Invalid response")]
    [InlineData("anonymous", "sign_in", """{"username": "ada\u0000", "password": "p"}""", "Invalid request body")]
    [InlineData("admin", "config", """{"api_key": "abcdefghijklmnop\u0000"}""", "Invalid value for api_key: must be 16 to 256 printable ASCII characters without spaces")]
    public async Task Text_with_U0000_gets_the_same_400_on_both_engines_and_stores_nothing(string caller, string action, string body, string error)
    {
        using var app = new BridgeApp();
        await (await app.Anonymous().PostMessageAsync("session_nul_seed", "seed")).DataAsync();
        var client = caller switch { "broca" => app.Broca(), "admin" => app.Admin(), _ => app.Anonymous() };

        var response = await client.PostRawAsync(action, body);

        await response.AssertErrorAsync(400, error);
        Assert.Equal(1L, app.Count("web_chat_messages"));
        Assert.Equal(0L, app.Count("web_chat_responses"));
        var search = await app.Admin().GetAsync("/api/v1/?action=sessions&q=seed%00");
        await search.AssertErrorAsync(400, "Invalid q parameter");
    }

    /// <summary>
    /// Bodies Kestrel itself refuses while the action reads them (a chunk size that overflows, bad chunk framing, a body
    /// shorter than its Content-Length): over a real socket, since the in-memory test server never parses HTTP framing.
    /// </summary>
    [Theory]
    [InlineData("messages", "Transfer-Encoding: chunked", "FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")]
    [InlineData("messages", "Transfer-Encoding: chunked", "zz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("messages", "Transfer-Encoding: chunked", "2\r\n{}XX0\r\n\r\n")]
    [InlineData("outbox", "Transfer-Encoding: chunked", "FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")]
    [InlineData("config", "Transfer-Encoding: chunked", "7FFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")]
    public async Task A_body_kestrel_refuses_while_it_is_read_is_a_4xx_envelope(string action, string framing, string body)
    {
        using var app = new BridgeApp();
        var address = app.ServeOnLoopback();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var request = $"POST /api/v1/?action={action} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {BridgeApp.AdminKey}\r\n"
            + $"Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();

        var statusLine = answer[..answer.IndexOf('\r', StringComparison.Ordinal)];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(status is >= 400 and < 500, $"answered {statusLine}");
        Assert.Contains("Content-Type: application/json", answer, StringComparison.OrdinalIgnoreCase);
        var envelope = JsonDocument.Parse(Dechunk(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..])).RootElement;
        Assert.False(envelope.GetProperty("success").GetBoolean());
        Assert.Equal(status, envelope.GetProperty("code").GetInt32());
        Assert.Equal(ChatBridge.Http.Errors.InvalidRequestBody, envelope.GetProperty("error").GetString());
    }

    /// <summary>The payload of a chunked body (an answer's JSON arrives in one or more chunks).</summary>
    private static string Dechunk(string body)
    {
        var payload = new StringBuilder();
        for (var at = 0; ;)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd], 16);
            if (size == 0)
            {
                return payload.ToString();
            }
            payload.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static HttpRequestMessage BuildRequest(Random random)
    {
        var action = random.Next(10) == 0 ? Junk(random, 12) : Actions[random.Next(Actions.Length)];
        var method = random.Next(4) == 0 ? Methods[random.Next(Methods.Length)] : (random.Next(2) == 0 ? "GET" : "POST");
        var url = random.Next(3) == 0
            ? $"/api/v1/{Uri.EscapeDataString(action)}?{OddQuery(random)}"
            : $"/api/v1/?action={Uri.EscapeDataString(action)}&{OddQuery(random)}";
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is not ("GET" or "OPTIONS") || random.Next(5) == 0)
        {
            request.Content = OddBody(random);
        }
        if (random.Next(6) == 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", random.Next(3) switch
            {
                0 => "Bearer " + Junk(random, random.Next(0, 300)),
                1 => Junk(random, 40),
                _ => "Bearer",
            });
        }
        if (random.Next(8) == 0)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", Junk(random, 30));
            request.Headers.TryAddWithoutValidation("User-Agent", new string('u', random.Next(1, 4000)));
        }
        return request;
    }

    private static string OddQuery(Random random) => random.Next(9) switch
    {
        0 => "session_id=" + Uri.EscapeDataString(Junk(random, random.Next(0, 100))),
        1 => "session_id=session_ok&session_id=" + Uri.EscapeDataString(Junk(random, 5)),
        2 => "limit=" + Uri.EscapeDataString(Junk(random, 6)) + "&offset=" + random.Next(-5, 5),
        3 => "limit=99999999999999999999&offset=99999999999",
        4 => "since=" + Uri.EscapeDataString(Junk(random, 25)) + "&after_id=" + Uri.EscapeDataString(Junk(random, 4)),
        5 => "active=" + Uri.EscapeDataString(Junk(random, 5)),
        6 => "%00%ff%fe=%zz&&&==&action=" + Uri.EscapeDataString(Junk(random, 3)),
        7 => string.Join('&', Enumerable.Range(0, 200).Select(i => $"p{i}=v")),
        _ => "session_id=session_fuzz_seed&after_id=" + random.Next(-3, 3),
    };

    private static HttpContent OddBody(Random random)
    {
        HttpContent content = random.Next(10) switch
        {
            0 => new ByteArrayContent(RandomBytes(random, random.Next(0, 2000))),
            1 => new StringContent(new string('[', random.Next(30, 3000)) + new string(']', random.Next(0, 3000))),
            2 => new StringContent("{\"session_id\": \"session_fuzz_seed\", \"message\": \"" + new string('m', random.Next(60_000, 200_000)) + "\"}"),
            3 => new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
            4 => new StringContent("{\"session_id\": " + Scalar(random) + ", \"message\": " + Scalar(random) + ", \"response\": " + Scalar(random) + ", \"agent_id\": " + Scalar(random) + "}"),
            5 => new StringContent("{\"api_key\": " + Scalar(random) + ", \"session_timeout\": " + Scalar(random) + ", \"" + Junk(random, 8) + "\": 1}"),
            6 => new StringContent(Junk(random, random.Next(0, 500))),
            7 => new StringContent("{\"session_id\": \"session_fuzz_seed\", \"message\": \"\\ud800\\udc00\\ud800\", \"timestamp\": " + Scalar(random) + "}"),
            8 => new StringContent("{\"a\":1,\"a\":2,\"session_id\":\"session_fuzz_seed\",\"message\":\"dup\"}"),
            _ => new StringContent("{}"),
        };
        content.Headers.ContentType = random.Next(4) switch
        {
            0 => new MediaTypeHeaderValue("text/plain"),
            1 => new MediaTypeHeaderValue("application/x-www-form-urlencoded"),
            2 => null,
            _ => new MediaTypeHeaderValue("application/json"),
        };
        return content;
    }

    private static string Scalar(Random random) => random.Next(9) switch
    {
        0 => "null",
        1 => "true",
        2 => "-1",
        3 => "1e308",
        4 => "[]",
        5 => "{}",
        6 => "\"" + new string('s', random.Next(0, 100)) + "\"",
        7 => "99999999999999999999999",
        _ => "\"session_" + random.Next(1000) + "\"",
    };

    private static string Junk(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append((char)random.Next(1, 0x3000));
        }
        // Lone surrogates cannot be sent in a URL or header: keep the string well-formed UTF-16.
        return new string(text.ToString().Where(c => !char.IsSurrogate(c)).ToArray());
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
