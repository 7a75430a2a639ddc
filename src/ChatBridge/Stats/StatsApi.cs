using ChatBridge.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Stats;

/// <summary>The admin dashboard's figures: activity, reply latency and backlog.</summary>
internal static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags(AdminTag.Name).RequireKey(Policies.Admin);

        admin.MapGet("/stats", GetStats)
            .WithName("stats")
            .WithSummary("Activity, reply latency and backlog for the dashboard (admin)")
            .WithDescription("Messages and replies per hour over the last `hours` (default 24, clamped to 168) and per day over the last `days` "
                + "(default 30, clamped to 90), every bucket listed even when empty, in UTC, the current hour and day last. Reply latency (a "
                + "message's time to its first reply) p50 and p95 per day of the first reply, over all answered messages and per agent "
                + "of the session. The backlog: messages no reply has answered yet, and the oldest one's age. Days before today are "
                + "counted once and kept; only today is counted on every request. `attachments`: files kept and the bytes they take. "
                + "`satisfaction`: visitors' ratings (`feedback`) per UTC day of the rating and agent of the session, `[{day, agent_id, up, down}]`, "
                + "only days and agents with a rating; a changed rating counts on the day it was last set.")
            .WithExamples(data: ExampleStats);

        return api;
    }

    private static readonly ServiceStats ExampleStats = new(
        Example.At("2026-11-24T10:15:30.123Z"),
        [new ActivityBucket(Example.At("2026-11-24T10:00:00.000Z"), 12, 11)],
        [new ActivityBucket(Example.At("2026-11-24T00:00:00.000Z"), 130, 127)],
        new LatencySeries(
            [new LatencyBucket(Example.At("2026-11-24T00:00:00.000Z"), 127, 4.2, 31.5)],
            [new AgentLatency(1, [new LatencyBucket(Example.At("2026-11-24T00:00:00.000Z"), 90, 3.9, 28.75)])]),
        new BacklogFigure(3, Example.At("2026-11-24T09:54:30.123Z"), 1260),
        new AttachmentStorage { Files = 42, Bytes = 18_874_368 })
    {
        Satisfaction = [new DailySatisfaction { Day = "2026-11-24", AgentId = 1, Up = 17, Down = 2 }],
    };

    private static async Task<Results<Ok<Envelope<ServiceStats>>, BadRequest<ErrorEnvelope>>> GetStats(
        [AsParameters] StatsQuery query, [FromServices] StatsRollup stats, IStatsStore store, TimeProvider time, CancellationToken ct)
    {
        var hours = QueryParams.Int(query.Hours, "hours", fallback: 24, min: 1, clampAt: 168);
        var days = QueryParams.Int(query.Days, "days", fallback: 30, min: 1, clampAt: 90);
        if ((hours.Error ?? days.Error) is { } invalid)
        {
            return invalid;
        }
        var now = time.GetUtcNow();
        var window = ServiceStats.Window(now, hours.Value, days.Value);
        var rows = await stats.ReadAsync(window, ct);
        var satisfaction = await store.SatisfactionAsync(window.DailyFrom, window.Until, ct);
        return Envelope.Ok(ServiceStats.From(rows, now, hours.Value, days.Value) with { Satisfaction = satisfaction });
    }
}

internal sealed record StatsQuery
{
    [FromQuery(Name = "hours")]
    public QueryNumber? Hours { get; init; }

    [FromQuery(Name = "days")]
    public QueryNumber? Days { get; init; }
}
