namespace ChatBridge.Tests.Sanctum;

/// <summary>Signing in with a Sanctum account: the control app's hashes, wording, counters and session rows.</summary>
public sealed class SignInTests
{
    [Fact]
    public async Task A_good_password_signs_in_sets_an_HttpOnly_Lax_cookie_and_records_the_sign_in_as_the_control_app_does()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada", role: "staff", passwordHash: SanctumAccounts.ControlAppHash.Value);
        app.Execute("UPDATE users SET failed_login_attempts = 3 WHERE id = $id", ("$id", ada));
        var browser = app.Browser();

        var response = await browser.SignInAsync("ada");

        var data = await response.DataAsync();
        Assert.Equal(ada, data.GetProperty("user").GetProperty("id").GetInt64());
        Assert.Equal("ada", data.GetProperty("user").GetProperty("username").GetString());
        Assert.Equal("staff", data.GetProperty("user").GetProperty("role").GetString());
        Assert.False(data.TryGetProperty("session_token", out _));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("chatbridge_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var token = cookie["chatbridge_session=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
        Assert.Matches("^[A-Za-z0-9]{64}$", token);

        Assert.Equal(0L, app.Scalar("SELECT failed_login_attempts FROM users WHERE id = $id", ("$id", ada)));
        // On SQLite in the control app's own text form, which its ORM parses; PostgreSQL's column is a timestamp.
        var lastLogin = (string)app.Scalar("SELECT last_login FROM users WHERE id = $id", ("$id", ada))!;
        Assert.Matches(BridgeApp.OnPostgres ? @"^\d{4}-\d{2}-\d{2}T" : @"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$", lastLogin);
        // The row as the control app writes one: two random tokens, 24 hours, the browser's address and agent; the
        // token the browser holds is stored only as its digest.
        Assert.Equal(1L, app.Scalar("SELECT COUNT(*) FROM user_sessions WHERE user_id = $id", ("$id", ada)));
        Assert.Matches("^[A-Za-z0-9]{64}$", (string)app.Scalar("SELECT id FROM user_sessions WHERE user_id = $id", ("$id", ada))!);
        Assert.NotEqual(token, app.Scalar("SELECT session_token FROM user_sessions WHERE user_id = $id", ("$id", ada)));
        var lifetime = ControlTime(app, "SELECT expires_at FROM user_sessions WHERE user_id = $id", ada)
            - ControlTime(app, "SELECT created_at FROM user_sessions WHERE user_id = $id", ada);
        Assert.Equal(TimeSpan.FromHours(24), lifetime);

        var me = await (await browser.GetAsync("/api/v1/?action=me")).DataAsync();
        Assert.Equal("ada", me.GetProperty("user").GetProperty("username").GetString());
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_name_get_the_control_apps_wording_and_the_failure_is_counted()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada");

        var wrong = await app.Browser().SignInAsync("ada", "not it");
        var unknown = await app.Browser().SignInAsync("nobody", "not it");

        await wrong.AssertErrorAsync(401, "Invalid username or password");
        await unknown.AssertErrorAsync(401, "Invalid username or password");
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(1L, app.Scalar("SELECT failed_login_attempts FROM users WHERE id = $id", ("$id", ada)));
    }

    [Fact]
    public async Task A_deactivated_account_is_told_so_only_with_its_right_password()
    {
        using var app = new BridgeApp();
        app.AddUser("gone", active: false);

        await (await app.Browser().SignInAsync("gone", "not it")).AssertErrorAsync(401, "Invalid username or password");
        await (await app.Browser().SignInAsync("gone")).AssertErrorAsync(403, "Account is deactivated");
    }

    [Fact]
    public async Task Ten_wrong_passwords_lock_the_account_for_fifteen_minutes_even_for_the_right_one()
    {
        using var app = new FrozenBridgeApp();
        app.AddUser("ada");
        var attacker = app.Browser();
        for (var i = 0; i < 10; i++)
        {
            await (await attacker.SignInAsync("ada", $"guess {i}")).AssertErrorAsync(401, "Invalid username or password");
        }

        var locked = await app.Browser().SignInAsync("ada");

        var body = await locked.AssertErrorAsync(429, "Rate limit exceeded");
        var retryAfter = body.GetProperty("retry_after").GetInt32();
        Assert.Equal(15 * 60, retryAfter);
        Assert.Equal(10L, app.Scalar("SELECT failed_login_attempts FROM users WHERE username = 'ada'"));

        app.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        var stillLocked = await (await app.Browser().SignInAsync("ada")).AssertErrorAsync(429, "Rate limit exceeded");
        Assert.Equal(1, stillLocked.GetProperty("retry_after").GetInt32());
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await (await app.Browser().SignInAsync("ada")).DataAsync();
    }

    [Fact]
    public async Task A_lockout_holds_on_every_instance_of_one_database()
    {
        using var first = new BridgeApp();
        first.AddUser("ada");
        for (var i = 0; i < 10; i++)
        {
            await first.Browser().SignInAsync("ada", $"guess {i}");
        }
        using var second = first.SecondInstance();

        await (await second.Browser().SignInAsync("ada")).AssertErrorAsync(429, "Rate limit exceeded");
    }

    [Fact]
    public async Task Signing_out_deletes_the_row_and_the_cookie_opens_nothing_after()
    {
        using var app = new BridgeApp();
        app.AddUser("ada");
        var browser = await app.SignedInAsync("ada");

        var signedOut = await browser.PostJsonAsync("sign_out", new { });

        Assert.True((await signedOut.DataAsync()).GetProperty("signed_out").GetBoolean());
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("chatbridge_session=;", StringComparison.Ordinal));
        Assert.Equal(0L, app.Count("user_sessions"));
        await (await browser.GetAsync("/api/v1/?action=me")).AssertErrorAsync(401, "Authentication required");
    }

    [Fact]
    public async Task A_stolen_cookie_stops_working_once_its_user_signs_out_elsewhere_or_is_deactivated()
    {
        using var app = new BridgeApp();
        var ada = app.AddUser("ada");
        var (token, _) = await SignInForTokenAsync(app, "ada");
        var thief = app.WithSessionHeader(token);
        await (await thief.GetAsync("/api/v1/?action=me")).DataAsync();

        app.Execute("UPDATE users SET is_active = $f WHERE id = $id", ("$f", false), ("$id", ada));

        await (await thief.GetAsync("/api/v1/?action=me")).AssertErrorAsync(401, "Authentication required");
    }

    [Fact]
    public async Task The_frame_gets_its_token_in_the_answer_instead_of_a_cookie_and_uses_it_as_a_header()
    {
        using var app = new BridgeApp();
        app.AddUser("ada");

        var (token, response) = await SignInForTokenAsync(app, "ada");

        Assert.False(response.Headers.Contains("Set-Cookie"));
        var me = await (await app.WithSessionHeader(token).GetAsync("/api/v1/?action=me")).DataAsync();
        Assert.Equal("ada", me.GetProperty("user").GetProperty("username").GetString());
    }

    [Fact]
    public async Task Me_without_a_sign_in_is_401()
    {
        using var app = new BridgeApp();

        await (await app.Anonymous().GetAsync("/api/v1/?action=me")).AssertErrorAsync(401, "Authentication required");
        await (await app.Anonymous().GetAsync("/api/v1/?action=my_sessions")).AssertErrorAsync(401, "Authentication required");
    }

    [Theory]
    [InlineData("""{"username": "ada"}""", 400, "Missing required fields")]
    [InlineData("""{"username": 7, "password": "x"}""", 400, "Invalid request body")]
    [InlineData("""{"username": "ada", "password": "x", "sessions": "session_a"}""", 400, "Invalid request body")]
    [InlineData("""[1]""", 400, "Invalid JSON")]
    public async Task A_malformed_sign_in_is_a_clear_400(string body, int status, string error)
    {
        using var app = new BridgeApp();

        await (await app.Browser().PostRawAsync("sign_in", body)).AssertErrorAsync(status, error);
    }

    [Fact]
    public async Task Sign_in_has_its_own_hourly_limit_per_client()
    {
        using var app = new BridgeApp { RateLimiting = true };
        app.Execute("INSERT INTO system_config (config_key, config_value) VALUES ('rate_limit_sign_in', '3')");
        var browser = app.Browser();
        for (var i = 0; i < 3; i++)
        {
            await (await browser.SignInAsync("nobody", "x")).AssertErrorAsync(401, "Invalid username or password");
        }

        await (await browser.SignInAsync("nobody", "x")).AssertErrorAsync(429, "Rate limit exceeded");
    }

    [Fact]
    public async Task The_default_sign_in_limit_is_thirty_an_hour()
    {
        using var app = new BridgeApp { RateLimiting = true };

        var config = await (await app.Admin().GetAsync("/api/v1/?action=config")).DataAsync();

        Assert.Equal(30, config.GetProperty("rate_limit_sign_in").GetInt32());
    }

    /// <summary>One of the control app's times, as SQLite stores it or as PostgreSQL's timestamp reads.</summary>
    private static DateTime ControlTime(BridgeApp app, string sql, long id) =>
        DateTime.Parse((string)app.Scalar(sql, ("$id", id))!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

    private static async Task<(string Token, HttpResponseMessage Response)> SignInForTokenAsync(BridgeApp app, string username)
    {
        var response = await app.Browser().PostJsonAsync("sign_in", new { username, password = SanctumAccounts.Password, frame = true });
        var data = await response.DataAsync();
        return (data.GetProperty("session_token").GetString()!, response);
    }
}
