using System.Globalization;

namespace ChatBridge.Http;

/// <summary>
/// An integer query parameter, as sent. It is bound as text so that a bad value gets the contract's 400 naming the
/// parameter (a failed binding of <c>int</c> would be ASP.NET Core's empty 400); OpenAPI shows it as an integer.
/// </summary>
internal readonly record struct QueryNumber(string Text)
{
    public static bool TryParse(string? text, out QueryNumber value)
    {
        value = new QueryNumber(text ?? "");
        return true;
    }
}

/// <summary>Parses query parameters; a value that is present but wrong is a 400 naming the parameter.</summary>
internal static class QueryParams
{
    public static string? Single(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public static Parsed<int> Int(QueryNumber? number, string name, int fallback, int min, int? clampAt = null)
    {
        var text = number?.Text;
        if (string.IsNullOrEmpty(text))
        {
            return Parsed<int>.Ok(fallback);
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            return Parsed<int>.Fail(Envelope.BadRequest(Errors.InvalidParameter(name)));
        }
        return Parsed<int>.Ok(clampAt is { } max ? Math.Min(value, max) : value);
    }

    public static Parsed<long?> OptionalId(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Parsed<long?>.Ok(null);
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? Parsed<long?>.Ok(value)
            : Parsed<long?>.Fail(Envelope.BadRequest(Errors.InvalidParameter(name)));
    }

    /// <summary>
    /// <c>since</c> in any ISO-8601 form (a value without zone is UTC), to the millisecond: what is stored, so "strictly
    /// after" means the same on both engines.
    /// </summary>
    public static Parsed<DateTimeOffset?> OptionalTimestamp(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Parsed<DateTimeOffset?>.Ok(null);
        }
        return Timestamps.TryParse(text, out var value)
            ? Parsed<DateTimeOffset?>.Ok(Timestamps.Truncate(value))
            : Parsed<DateTimeOffset?>.Fail(Envelope.BadRequest(Errors.InvalidParameter(name)));
    }

    /// <summary>Trimmed free text; empty or blank means absent, longer than <paramref name="maxLength"/> characters is a 400.</summary>
    public static Parsed<string?> OptionalText(string? text, string name, int maxLength)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return Parsed<string?>.Ok(null);
        }
        // U+0000 is refused for the reason RequestFields.String gives.
        return trimmed.Length <= maxLength && !trimmed.Contains('\0', StringComparison.Ordinal)
            ? Parsed<string?>.Ok(trimmed)
            : Parsed<string?>.Fail(Envelope.BadRequest(Errors.InvalidParameter(name)));
    }

    public static Parsed<bool> Bool(string? text, string name, bool fallback) =>
        text?.ToLowerInvariant() switch
        {
            null or "" => Parsed<bool>.Ok(fallback),
            "true" or "1" or "yes" => Parsed<bool>.Ok(true),
            "false" or "0" or "no" => Parsed<bool>.Ok(false),
            _ => Parsed<bool>.Fail(Envelope.BadRequest(Errors.InvalidParameter(name))),
        };
}
