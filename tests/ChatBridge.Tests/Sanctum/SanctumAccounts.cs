using System.Text.Json;

namespace ChatBridge.Tests.Sanctum;

/// <summary>Sanctum accounts as the control app makes them, and clients signed in with them.</summary>
public static class SanctumAccounts
{
    public const string Password = "correct horse battery staple";

    /// <summary>
    /// A hash exactly as the control app's <c>bcrypt.hashpw(password, bcrypt.gensalt())</c> makes it: <c>$2b$</c>,
    /// cost 12. Made once: each hash and each check of it costs a quarter of a second.
    /// </summary>
    public static readonly Lazy<string> ControlAppHash = new(() => BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(12, 'b')));

    /// <summary>
    /// The same form at bcrypt's lowest cost, for the users of every other test: the bridge checks a hash of any cost
    /// the same way, and the suite signs in hundreds of times (a quarter of a second of CPU each at cost 12).
    /// </summary>
    public static readonly Lazy<string> PasswordHash = new(() => BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(4, 'b')));

    /// <summary>A user row as the control app's admin page writes it; the times are left to its defaults.</summary>
    public static long AddUser(this BridgeApp app, string username, string role = "user", bool active = true, string? passwordHash = null)
    {
        app.Execute(
            "INSERT INTO users (username, email, password_hash, role, permissions, is_active, failed_login_attempts) VALUES ($u, $e, $h, $r, '[]', $a, 0)",
            ("$u", username), ("$e", $"{username}@example.org"), ("$h", passwordHash ?? PasswordHash.Value), ("$r", role), ("$a", active));
        return (long)app.Scalar("SELECT id FROM users WHERE username = $u", ("$u", username))!;
    }

    /// <summary>
    /// A browser of its own (its own cookies) signed in as <paramref name="username"/>. It sends <c>X-Requested-With</c>
    /// as the chat page does, so its cookie counts on POSTs too.
    /// </summary>
    public static async Task<HttpClient> SignedInAsync(this BridgeApp app, string username, params string[] sessions)
    {
        var browser = app.Browser();
        (await browser.PostJsonAsync("sign_in", new { username, password = Password, sessions })).EnsureSuccessStatusCode();
        return browser;
    }

    /// <summary>A client that keeps cookies and sends the page's <c>X-Requested-With</c>, not signed in yet.</summary>
    public static HttpClient Browser(this BridgeApp app)
    {
        var browser = app.Anonymous();
        browser.DefaultRequestHeaders.Add("X-Requested-With", "ChatBridge");
        return browser;
    }

    public static Task<HttpResponseMessage> SignInAsync(this HttpClient client, string username, string password = Password) =>
        client.PostJsonAsync("sign_in", new { username, password });

    public static async Task<JsonElement> MySessionsAsync(this HttpClient browser) =>
        await (await browser.GetAsync("/api/v1/?action=my_sessions")).DataAsync();
}
