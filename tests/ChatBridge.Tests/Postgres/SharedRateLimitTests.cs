using System.Globalization;
using Dapper;

namespace ChatBridge.Tests.Postgres;

/// <summary>
/// Two instances on one PostgreSQL database count a client's requests and wrong keys together: spreading them over
/// both buys no extra budget.
/// </summary>
public sealed class SharedRateLimitTests
{
    private static BridgeApp Instance(TestDatabase database) => new()
    {
        RateLimiting = true,
        Settings =
        {
            ["ChatBridge:Database:Provider"] = "Postgres",
            ["ChatBridge:Database:ConnectionString"] = database.ConnectionString,
        },
    };

    /// <summary>Starts the first instance before the second, so one of them creates the schema.</summary>
    private static (BridgeApp A, BridgeApp B) TwoInstances(TestDatabase database)
    {
        var a = Instance(database);
        _ = a.Services;
        var b = Instance(database);
        _ = b.Services;
        return (a, b);
    }

    /// <summary>Sets a limit through <c>config</c> on each instance, so neither waits for the other's notification.</summary>
    private static async Task LimitMessagesAsync(int limit, params BridgeApp[] instances)
    {
        foreach (var instance in instances)
        {
            await (await instance.Admin().PostJsonAsync("config", new { rate_limit_messages = limit })).DataAsync();
        }
    }

    private static int SecondsToNextHour(DateTimeOffset at) =>
        (int)Math.Ceiling((at.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerHour)).AddHours(1) - at).TotalSeconds);

    [PostgresFact]
    public async Task A_client_spreading_requests_over_two_instances_gets_one_budget_not_two()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, b) = TwoInstances(database);
        using (a)
        using (b)
        {
            await LimitMessagesAsync(4, a, b);
            for (var i = 0; i < 4; i++)
            {
                await (await (i % 2 == 0 ? a : b).Anonymous().PostMessageAsync("session_shared_rl", $"m{i}")).DataAsync();
            }

            var before = a.Clock.GetUtcNow();
            var refusedOnA = await a.Anonymous().PostMessageAsync("session_shared_rl", "one too many");
            var refusedOnB = await b.Anonymous().PostMessageAsync("session_shared_rl", "one too many");
            var after = a.Clock.GetUtcNow();

            foreach (var refused in new[] { refusedOnA, refusedOnB })
            {
                var body = await refused.AssertErrorAsync(429, "Rate limit exceeded");
                var retryAfter = body.GetProperty("retry_after").GetInt32();
                // The window is the clock's hour, the same on every instance: it reopens at the top of the hour.
                Assert.InRange(retryAfter, Math.Max(1, SecondsToNextHour(after)), SecondsToNextHour(before));
                Assert.Equal(retryAfter.ToString(CultureInfo.InvariantCulture), refused.Headers.GetValues("Retry-After").Single());
            }
            await using var connection = await database.OpenAsync();
            Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM web_chat_messages"));
            // Responses keep their own budget.
            await (await b.Anonymous().GetAsync("/api/v1/?action=responses&session_id=session_shared_rl")).DataAsync();
        }
    }

    [PostgresFact]
    public async Task The_next_window_opens_a_new_budget_and_sweeps_the_old_windows_away()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, b) = TwoInstances(database);
        using (a)
        using (b)
        {
            await LimitMessagesAsync(1, a, b);
            await (await a.Anonymous().PostMessageAsync("session_shared_next", "1")).DataAsync();
            await (await b.Anonymous().PostMessageAsync("session_shared_next", "2")).AssertErrorAsync(429, "Rate limit exceeded");

            a.Clock.Advance(TimeSpan.FromHours(1));
            b.Clock.Advance(TimeSpan.FromHours(1));

            await (await b.Anonymous().PostMessageAsync("session_shared_next", "3")).DataAsync();
            await (await a.Anonymous().PostMessageAsync("session_shared_next", "4")).AssertErrorAsync(429, "Rate limit exceeded");
            await using var connection = await database.OpenAsync();
            var windows = await connection.QueryAsync<DateTime>(
                "SELECT window_start FROM bridge_rate_counters WHERE policy = 'messages'");
            var current = a.Clock.GetUtcNow();
            Assert.Equal([current.AddTicks(-(current.UtcTicks % TimeSpan.TicksPerHour)).UtcDateTime], windows);
        }
    }

    [PostgresFact]
    public async Task Wrong_keys_spread_over_two_instances_lock_the_client_out_of_both_after_ten()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, b) = TwoInstances(database);
        using (a)
        using (b)
        {
            for (var i = 0; i < 10; i++)
            {
                var guesser = (i % 2 == 0 ? a : b).WithKey("guess-guess-guess-guess-0");
                await (await guesser.GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
            }

            foreach (var instance in new[] { a, b })
            {
                var locked = await instance.Broca().GetAsync("/api/v1/?action=inbox");
                var body = await locked.AssertErrorAsync(429, "Rate limit exceeded");
                var retryAfter = body.GetProperty("retry_after").GetInt32();
                Assert.InRange(retryAfter, 1, 900);
                Assert.Equal(retryAfter.ToString(CultureInfo.InvariantCulture), locked.Headers.GetValues("Retry-After").Single());
                await (await instance.Admin().GetAsync("/api/v1/?action=config")).AssertErrorAsync(429, "Rate limit exceeded");
                await (await instance.Anonymous().PostMessageAsync("session_shared_lockout", "still chatting")).DataAsync();
            }
        }
    }

    [PostgresFact]
    public async Task Nine_wrong_keys_over_two_instances_leave_the_right_key_working_on_both()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, b) = TwoInstances(database);
        using (a)
        using (b)
        {
            for (var i = 0; i < 9; i++)
            {
                var guesser = (i % 2 == 0 ? a : b).WithKey("guess-guess-guess-guess-0");
                await (await guesser.GetAsync("/api/v1/?action=inbox")).AssertErrorAsync(401, "Invalid API key");
            }

            await (await a.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
            await (await b.Broca().GetAsync("/api/v1/?action=inbox")).DataAsync();
        }
    }

    [PostgresFact]
    public async Task Clear_data_on_one_instance_resets_the_budget_on_both()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, b) = TwoInstances(database);
        using (a)
        using (b)
        {
            await LimitMessagesAsync(1, a, b);
            await (await a.Anonymous().PostMessageAsync("session_shared_clear", "1")).DataAsync();
            await (await a.Anonymous().PostMessageAsync("session_shared_clear", "2")).AssertErrorAsync(429, "Rate limit exceeded");
            await (await b.Anonymous().PostMessageAsync("session_shared_clear", "2")).AssertErrorAsync(429, "Rate limit exceeded");

            await (await b.Admin().PostJsonAsync("clear_data", new { })).DataAsync();

            await (await a.Anonymous().PostMessageAsync("session_shared_clear", "3")).DataAsync();
            await (await b.Anonymous().PostMessageAsync("session_shared_clear", "4")).AssertErrorAsync(429, "Rate limit exceeded");
        }
    }
}
