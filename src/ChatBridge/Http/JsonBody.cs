using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBridge.Http;

/// <summary>Reads a request body as one bounded JSON object; anything else becomes a 4xx, never an exception.</summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32 };

    public static async Task<Parsed<JsonElement>> ReadObjectAsync(HttpContext http, int maxBytes, CancellationToken ct)
    {
        if (http.Request.ContentLength > maxBytes)
        {
            return TooLarge();
        }
        // Read straight from Kestrel's pipe: the whole body is in its buffers once the client has sent it, so it
        // needs no copy of its own and no per-request buffers.
        var body = http.Request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(ct);
            }
            catch (Exception error) when (error is BadHttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                // Framing Kestrel refuses mid-body: a bad or overflowing chunk size, a body shorter than its Content-Length.
                // Most of it is a BadHttpRequestException; an overflowing chunk size is an IOException. Either is the client's fault.
                return error is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                    ? TooLarge()
                    : Parsed<JsonElement>.Fail(Envelope.BadRequest(Errors.InvalidRequestBody));
            }
            if (read.IsCanceled)
            {
                throw new OperationCanceledException("Reading the request body was cancelled.");
            }
            if (read.Buffer.Length > maxBytes)
            {
                body.AdvanceTo(read.Buffer.End);
                return TooLarge();
            }
            if (read.IsCompleted)
            {
                try
                {
                    return Parse(read.Buffer);
                }
                finally
                {
                    body.AdvanceTo(read.Buffer.End);
                }
            }
            // Consume nothing but mark everything seen, so that the next read waits for more of the body.
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static Parsed<JsonElement> Parse(ReadOnlySequence<byte> json)
    {
        if (json.IsSingleSegment)
        {
            return Parse(json.First);
        }
        var copy = ArrayPool<byte>.Shared.Rent((int)json.Length);
        try
        {
            json.CopyTo(copy);
            return Parse(copy.AsMemory(0, (int)json.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>The element returned is a copy, independent of <paramref name="json"/>'s buffer.</summary>
    private static Parsed<JsonElement> Parse(ReadOnlyMemory<byte> json)
    {
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

    private static Parsed<JsonElement> TooLarge() => new(default, null, new PayloadTooLarge());
}

/// <summary>
/// Either a value or the answer explaining why there is none: a 400 naming what is wrong, or, for a body, a 413.
/// </summary>
internal readonly record struct Parsed<T>(T Value, BadRequest<ErrorEnvelope>? Error, PayloadTooLarge? TooLarge = null)
{
    public static Parsed<T> Ok(T value) => new(value, null);

    public static Parsed<T> Fail(BadRequest<ErrorEnvelope> error) => new(default!, error);

    /// <summary>The same refusal for a value of another type.</summary>
    public Parsed<TOther> Forward<TOther>() => new(default!, Error, TooLarge);
}

/// <summary>How a body field was found: absent, of the wrong JSON type, or a usable string.</summary>
internal enum FieldState { Missing, WrongType, Present }

/// <summary>
/// The fields of a parsed JSON body. Every look-up goes through <see cref="TryGet"/>, which notes the name when asked
/// to: the OpenAPI test compares the names a request type reads with the schema it is documented by.
/// </summary>
internal readonly struct RequestFields(JsonElement body, ICollection<string>? namesRead = null)
{
    public bool TryGet(string name, out JsonElement value)
    {
        namesRead?.Add(name);
        return body.TryGetProperty(name, out value);
    }

    /// <summary>Every property of the object, in order; each counts as read.</summary>
    public IEnumerable<JsonProperty> All()
    {
        foreach (var property in body.EnumerateObject())
        {
            namesRead?.Add(property.Name);
            yield return property;
        }
    }

    public bool HasAll(params ReadOnlySpan<string> names)
    {
        var all = true;
        foreach (var name in names)
        {
            all &= TryGet(name, out _);
        }
        return all;
    }

    /// <summary>A JSON <c>null</c> counts as present with the wrong type: the client did send the field.</summary>
    public FieldState String(string name, out string value)
    {
        value = "";
        if (!TryGet(name, out var element))
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
        // Nor is U+0000: PostgreSQL cannot store it, and a field refused on one engine is refused on both.
        return value.Contains('\0', StringComparison.Ordinal) ? FieldState.WrongType : FieldState.Present;
    }

    public bool IsNull(string name) => TryGet(name, out var element) && element.ValueKind == JsonValueKind.Null;

    /// <summary>An optional client timestamp in any form <see cref="Timestamps.TryParse"/> reads; kept as sent.</summary>
    public bool OptionalTimestamp(string name, out string? value)
    {
        value = null;
        switch (String(name, out var text))
        {
            case FieldState.Missing:
                return true;
            case FieldState.WrongType:
                return IsNull(name);
        }
        if (text.Length > 64 || !Timestamps.TryParse(text, out _))
        {
            return false;
        }
        value = text;
        return true;
    }

    /// <summary>A required positive integer id: missing is <c>Missing required fields</c>, anything else not one <paramref name="invalidError"/>.</summary>
    public Parsed<long> RequiredId(string name, string invalidError)
    {
        if (!HasAll(name))
        {
            return Parsed<long>.Fail(Envelope.BadRequest(Errors.MissingRequiredFields));
        }
        return OptionalId(name, out var id) && id is { } value ? Parsed<long>.Ok(value) : Parsed<long>.Fail(Envelope.BadRequest(invalidError));
    }

    /// <summary>An optional positive integer id; absent and <c>null</c> both mean "not given".</summary>
    public bool OptionalId(string name, out long? value)
    {
        value = null;
        if (!TryGet(name, out var element) || element.ValueKind == JsonValueKind.Null)
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
