using System.Text;
using ChatBridge.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ChatBridge.Attachments;

/// <summary>
/// The body of <c>upload</c>: <c>multipart/form-data</c> with a <c>session_id</c> field and one <c>file</c>. Read as it
/// streams in, never spooled to disk: the file's bytes are held in memory up to the limit and not one byte more, and
/// every fault of the client's (framing, a second file, an oversized part) is an answer, never an exception.
/// </summary>
internal static class UploadForm
{
    /// <summary>What a form may hold besides the file: its field, part headers and boundaries.</summary>
    public const int FormOverhead = 64 * 1024;

    private const int MaxFieldBytes = 1024;
    private const int MaxBoundaryLength = 70;

    /// <param name="FileName">The name the client gave the file; it only names the result.</param>
    internal sealed record Form(string? SessionId, ReadOnlyMemory<byte>? File, string? FileName);

    /// <summary>The form's fields, or why there are none: 400, or 413 <c>File too large</c>.</summary>
    public static async Task<(Form? Form, IResult? Refusal)> ReadAsync(HttpContext http, long maxFileBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= MaxBoundaryLength } boundary)
        {
            return (null, Envelope.BadRequest(Errors.InvalidRequestBody));
        }
        if (http.Request.ContentLength > maxFileBytes + FormOverhead)
        {
            return (null, TooLarge());
        }
        try
        {
            return await ReadSectionsAsync(new MultipartReader(boundary, http.Request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 8 * 1024 }, maxFileBytes, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            // Framing the reader or Kestrel refuses: a missing boundary, a truncated body, an overlong header.
            return (null, Envelope.BadRequest(Errors.InvalidRequestBody));
        }
    }

    private static async Task<(Form?, IResult?)> ReadSectionsAsync(MultipartReader reader, long maxFileBytes, CancellationToken ct)
    {
        string? sessionId = null;
        ReadOnlyMemory<byte>? file = null;
        string? fileName = null;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (name == "file")
            {
                if (file is not null)
                {
                    return (null, Envelope.BadRequest(Errors.OneFilePerUpload));
                }
                if (await BoundedRead.ReadAsync(section.Body, maxFileBytes, ct) is not { } bytes)
                {
                    return (null, TooLarge());
                }
                file = bytes;
                fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value is { Length: > 0 } star
                    ? star
                    : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
            }
            else if (name == "session_id")
            {
                // An overlong or ill-formed value cannot be a session id; the id's own check says so.
                var value = await BoundedRead.ReadAsync(section.Body, MaxFieldBytes, ct);
                sessionId = value is { } text ? Encoding.UTF8.GetString(text.Span) : "";
            }
        }
        return (new Form(sessionId, file, fileName), null);
    }

    public static IResult TooLarge() => Envelope.Fail(StatusCodes.Status413PayloadTooLarge, Errors.FileTooLarge);
}
