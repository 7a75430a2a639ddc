using System.Text.Json;
using ChatBridge.Http;

namespace ChatBridge.Agents;

/// <summary>An agent as the chat UI's picker shows it; <c>status</c> is the control app's label (<c>Healthy</c>, <c>error</c>, …).</summary>
internal sealed record Agent
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string Status { get; init; } = "";

    /// <summary>Its Broca polled the inbox within three of its own poll intervals (at least 3 s).</summary>
    public bool Online { get; init; }

    /// <summary>Median seconds from a message to its answer over the last 24 hours; null without answers.</summary>
    public double? TypicalReplySeconds { get; init; }
}

/// <summary>
/// An agent row of the control app, with what decides who may use it: <c>is_active</c> (as the control app's own picker
/// decides) and the visibility lists, JSON arrays of user ids and role names, where null or empty means "not
/// restricted by that list".
/// </summary>
internal sealed record AgentRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string? Status { get; init; }
    public bool IsActive { get; init; }
    public string? VisibleToUsers { get; init; }
    public string? VisibleToRoles { get; init; }

    public Agent View => new() { Id = Id, Name = Name, Description = Description, Status = Status ?? "" };

    /// <summary>
    /// Active, and either open to everyone (neither list names anyone) or the caller is signed in and named by a list,
    /// or an admin. A list the control app stored that is not a JSON array of the right kind names no one.
    /// </summary>
    public bool IsUsableBy(Caller caller)
    {
        if (!IsActive)
        {
            return false;
        }
        var users = List(VisibleToUsers);
        var roles = List(VisibleToRoles);
        if (users is { Count: 0 } && roles is { Count: 0 })
        {
            return true;
        }
        return caller.IsSignedIn
            && (caller.IsAdmin
                || (caller.UserId is { } id && users?.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) == true)
                || (caller.Role is { } role && roles?.Contains(role) == true));
    }

    /// <summary>The list's entries as text (ids may be stored as numbers or strings); empty for none; null when unreadable.</summary>
    private static HashSet<string>? List(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Trim() == "null")
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            return [.. document.RootElement.EnumerateArray()
                .Where(e => e.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())];
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
