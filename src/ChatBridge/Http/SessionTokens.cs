using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ChatBridge.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChatBridge.Http;

/// <summary>
/// <c>X-Session-Token</c>: a secret of the client's own that the request creating a session binds it to. Only its
/// SHA-256 is stored; from then on the session's actions ask for the same token, so its id stops being a password.
/// </summary>
internal static partial class SessionToken
{
    public const string Header = "X-Session-Token";

    /// <summary>What a browser offers as WebSocket subprotocols: <c>["chatbridge", "token.&lt;token&gt;"]</c>.</summary>
    public const string SubProtocol = "chatbridge";

    public const string SubProtocolPrefix = "token.";

    [GeneratedRegex(@"^[A-Za-z0-9_-]{32,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? token) => token is not null && Pattern().IsMatch(token);

    /// <summary>The token's hash as stored: 64 lowercase hex characters.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Compares two stored-form hashes in time that does not depend on where they differ.</summary>
    public static bool HashesMatch(string? stored, string? presented) =>
        stored is not null && presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(presented));

    /// <summary>
    /// The request's token as its hash: absent is null, more than one value or a malformed one is 400
    /// <c>Invalid session token</c>. A WebSocket may carry it as the subprotocol <c>token.&lt;token&gt;</c> instead of the
    /// header; never in the URL, which ends up in logs.
    /// </summary>
    public static Parsed<string?> Read(HttpContext http, bool fromSubProtocol = false)
    {
        var values = http.Request.Headers[Header];
        string? token = values.Count switch
        {
            0 => null,
            1 => values[0] ?? "",
            _ => "",
        };
        if (token is null && fromSubProtocol)
        {
            var offered = http.WebSockets.WebSocketRequestedProtocols.Where(p => p.StartsWith(SubProtocolPrefix, StringComparison.Ordinal)).ToList();
            token = offered.Count switch
            {
                0 => null,
                1 => offered[0][SubProtocolPrefix.Length..],
                _ => "",
            };
        }
        if (token is null)
        {
            return Parsed<string?>.Ok(null);
        }
        return IsValid(token) ? Parsed<string?>.Ok(Hash(token)) : Parsed<string?>.Fail(Envelope.BadRequest(Errors.InvalidSessionToken));
    }
}

/// <summary>What a session's access rules need to know of it; an unknown session is null.</summary>
internal sealed record GuardedSession
{
    /// <summary>Null for a session created without a token (a legacy session), which is never bound later.</summary>
    public string? TokenHash { get; init; }

    public long? UserId { get; init; }
}

/// <summary>Reads what <see cref="SessionGuard"/> needs; implemented by the storage engines.</summary>
internal interface ISessionGuardStore
{
    Task<GuardedSession?> FindAsync(string sessionId, CancellationToken ct);
}

/// <summary>
/// Decides whether a request may use a session. A session bound to a token needs that token, or its signed-in owner;
/// a legacy session works as it always did unless <c>ChatBridge:Chat:LegacySessions</c> is <c>refuse</c>. A session's
/// token never changes once set, so this instance remembers it: a poll costs no query for the check. An entry lives a
/// minute, so a session deleted (cleanup) and made again under the same id is seen as it now is.
/// </summary>
internal sealed class SessionGuard(ISessionGuardStore store, IOptions<ChatBridgeOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(1);

    /// <summary>Bounds the memory; past it, it starts over, costing one query per session.</summary>
    private const int RememberedSessions = 100_000;

    private readonly ConcurrentDictionary<string, (string? TokenHash, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the request may use the session; <paramref name="tokenHash"/> is its token as <see cref="SessionToken.Read"/>
    /// gave it. A refusal is 403 <c>Invalid session token</c>.
    /// </summary>
    public async Task<SessionAccess> CheckAsync(HttpContext http, string sessionId, string? tokenHash, CancellationToken ct)
    {
        var refuseLegacy = options.Value.Chat.LegacySessions == LegacySessionPolicy.Refuse;
        var now = time.GetUtcNow();
        string? bound;
        if (_tokens.TryGetValue(sessionId, out var known) && known.Until > now)
        {
            bound = known.TokenHash;
        }
        else
        {
            var session = await store.FindAsync(sessionId, ct);
            if (session is null)
            {
                // Unknown: the request may create it, bound to its token; without one it would be a new legacy session.
                return tokenHash is null && refuseLegacy && !Caller.Of(http.User).IsSignedIn ? SessionAccess.Refused : SessionAccess.Granted;
            }
            Remember(sessionId, session.TokenHash, now);
            bound = session.TokenHash;
        }
        if (bound is null ? !refuseLegacy : SessionToken.HashesMatch(bound, tokenHash))
        {
            return SessionAccess.Granted;
        }
        return await IsOwnerAsync(http, sessionId, ct) ? SessionAccess.AsOwner : SessionAccess.Refused;
    }

    /// <summary>Forgets every session: after deletes, so a session made again under an old id is read afresh.</summary>
    public void Forget() => _tokens.Clear();

    private async Task<bool> IsOwnerAsync(HttpContext http, string sessionId, CancellationToken ct) =>
        Caller.Of(http.User).UserId is { } userId && (await store.FindAsync(sessionId, ct))?.UserId == userId;

    private void Remember(string sessionId, string? tokenHash, DateTimeOffset now)
    {
        if (_tokens.Count >= RememberedSessions)
        {
            _tokens.Clear();
        }
        _tokens[sessionId] = (tokenHash, now + Remembered);
    }
}

/// <param name="Refusal">The answer to give when access is refused; null when the request may go on.</param>
/// <param name="ByOwnership">Granted to the session's signed-in owner, who needs no token.</param>
internal sealed record SessionAccess(JsonHttpResult<ErrorEnvelope>? Refusal, bool ByOwnership)
{
    public static readonly SessionAccess Granted = new(null, false);

    public static readonly SessionAccess AsOwner = new(null, true);

    public static SessionAccess Refused => new(Envelope.Forbidden(Errors.InvalidSessionToken), false);
}
