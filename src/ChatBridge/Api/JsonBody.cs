using System.Text.Json;
using System.Text.Unicode;
using ChatBridge.Data;

namespace ChatBridge.Api;

/// <summary>Reads a request body as one bounded JSON object; anything else becomes a 4xx, never an exception.</summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32 };

    public static async Task<Parsed<JsonElement>> ReadObjectAsync(HttpContext http, int maxBytes, CancellationToken ct)
    {
        if (http.Request.ContentLength > maxBytes)
        {
            return Parsed<JsonElement>.Fail(Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge));
        }
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return Parsed<JsonElement>.Fail(Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.RequestTooLarge));
            }
            buffer.Write(chunk, 0, read);
        }
        var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // The parser checks UTF-8 only where a value is read; checking up front keeps bad bytes out of storage.
        if (!Utf8.IsValid(json.Span))
        {
            return Parsed<JsonElement>.Fail(Envelope.BadRequest(Errors.InvalidJson));
        }
        try
        {
            using var document = JsonDocument.Parse(json, ParseOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Parsed<JsonElement>.Ok(document.RootElement.Clone())
                : Parsed<JsonElement>.Fail(Envelope.BadRequest(Errors.InvalidJson));
        }
        catch (JsonException)
        {
            return Parsed<JsonElement>.Fail(Envelope.BadRequest(Errors.InvalidJson));
        }
    }
}

/// <summary>Either a value or the error answer explaining why there is none.</summary>
internal readonly record struct Parsed<T>(T Value, IResult? Error)
{
    public static Parsed<T> Ok(T value) => new(value, null);

    public static Parsed<T> Fail(IResult error) => new(default!, error);
}

/// <summary>How a body field was found: absent, of the wrong JSON type, or a usable string.</summary>
internal enum FieldState { Missing, WrongType, Present }

internal static class JsonFields
{
    /// <summary>A JSON <c>null</c> counts as present with the wrong type: the client did send the field.</summary>
    public static FieldState String(JsonElement body, string name, out string value)
    {
        value = "";
        if (!body.TryGetProperty(name, out var element))
        {
            return FieldState.Missing;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return FieldState.WrongType;
        }
        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but not valid text.
            return FieldState.WrongType;
        }
        return FieldState.Present;
    }

    public static bool HasAll(JsonElement body, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (!body.TryGetProperty(name, out _))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>An optional client timestamp in any form <see cref="Timestamps.TryParse"/> reads; kept as sent.</summary>
    public static bool OptionalTimestamp(JsonElement body, string name, out string? value)
    {
        value = null;
        switch (String(body, name, out var text))
        {
            case FieldState.Missing:
                return true;
            case FieldState.WrongType:
                return body.GetProperty(name).ValueKind == JsonValueKind.Null;
        }
        if (text.Length > 64 || !Timestamps.TryParse(text, out _))
        {
            return false;
        }
        value = text;
        return true;
    }

    /// <summary>An optional positive integer id; absent and <c>null</c> both mean "not given".</summary>
    public static bool OptionalId(JsonElement body, string name, out long? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var number) && number > 0)
        {
            value = number;
            return true;
        }
        return false;
    }
}
