using System.Text.RegularExpressions;

namespace ChatBridge.Http;

internal static partial class SessionIds
{
    public const int MaxLength = 64;

    // \z rather than $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^session_[A-Za-z0-9_]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is { Length: <= MaxLength } && Pattern().IsMatch(id);

    /// <summary>The <c>session_id</c> query parameter: required, and of the contract's form.</summary>
    public static Parsed<string> FromQuery(HttpContext http) => FromQuery(QueryParams.Single(http, "session_id"));

    public static Parsed<string> FromQuery(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return Parsed<string>.Fail(Envelope.BadRequest(Errors.MissingSessionId));
        }
        return IsValid(id) ? Parsed<string>.Ok(id) : Parsed<string>.Fail(Envelope.BadRequest(Errors.InvalidSessionId));
    }
}

/// <summary>The <c>session_id</c> of a body about one session.</summary>
internal static class SessionField
{
    /// <summary>
    /// In the contract's order: a missing field (this one or <paramref name="requiredField"/>, the action's other
    /// required one) is <c>Missing required fields</c>, a session id that is not a string of the right form
    /// <c>Invalid session ID</c>.
    /// </summary>
    public static Parsed<string> Read(RequestFields body, string? requiredField)
    {
        if (!body.HasAll("session_id", requiredField ?? "session_id"))
        {
            return Parsed<string>.Fail(Envelope.BadRequest(Errors.MissingRequiredFields));
        }
        return body.String("session_id", out var sessionId) == FieldState.Present && SessionIds.IsValid(sessionId)
            ? Parsed<string>.Ok(sessionId)
            : Parsed<string>.Fail(Envelope.BadRequest(Errors.InvalidSessionId));
    }
}

internal static class ChatText
{
    /// <summary>
    /// A required text field: missing is <c>Missing required fields</c>; not a string, empty or whitespace
    /// after trimming, or longer than <paramref name="maxCodePoints"/> Unicode code points is <paramref name="invalidError"/>.
    /// </summary>
    public static Parsed<string> Required(RequestFields body, string field, int maxCodePoints, string invalidError)
    {
        switch (body.String(field, out var raw))
        {
            case FieldState.Missing:
                return Parsed<string>.Fail(Envelope.BadRequest(Errors.MissingRequiredFields));
            case FieldState.WrongType:
                return Parsed<string>.Fail(Envelope.BadRequest(invalidError));
        }
        var text = raw.Trim();
        if (text.Length == 0 || CodePoints(text) > maxCodePoints)
        {
            return Parsed<string>.Fail(Envelope.BadRequest(invalidError));
        }
        return Parsed<string>.Ok(text);
    }

    /// <summary>
    /// A text field that may be left out, null or blank (then empty); present, it is a string of at most
    /// <paramref name="maxCodePoints"/> code points once trimmed, or <paramref name="invalidError"/>.
    /// </summary>
    public static Parsed<string> Optional(RequestFields body, string field, int maxCodePoints, string invalidError)
    {
        switch (body.String(field, out var raw))
        {
            case FieldState.Missing:
                return Parsed<string>.Ok("");
            case FieldState.WrongType:
                return body.IsNull(field)
                    ? Parsed<string>.Ok("")
                    : Parsed<string>.Fail(Envelope.BadRequest(invalidError));
        }
        var text = raw.Trim();
        return CodePoints(text) > maxCodePoints ? Parsed<string>.Fail(Envelope.BadRequest(invalidError)) : Parsed<string>.Ok(text);
    }

    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
