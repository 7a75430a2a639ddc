using System.Security.Cryptography;
using System.Text;

namespace ChatBridge.Access;

/// <summary>
/// Broca keys of single agents. Sanctum runs one Broca per agent, each knowing only its key: the key decides which
/// agent's messages its Broca gets. Only a key's SHA-256 is stored; the key itself is shown once, when it is made.
/// </summary>
internal interface IAgentKeyStore
{
    /// <summary>The agent whose key has this digest, when that agent still exists and is active; otherwise null.</summary>
    Task<long?> FindAgentAsync(string keyDigest, CancellationToken ct);

    /// <summary>Gives the agent a new key in place of any earlier one; false when there is no such agent.</summary>
    Task<bool> ReplaceAsync(long agentId, string keyDigest, DateTimeOffset now, CancellationToken ct);

    /// <summary>Every agent, by id, with when its key was made (null without one); never the keys.</summary>
    Task<IReadOnlyList<AgentKeyState>> ListAsync(CancellationToken ct);
}

internal sealed record AgentKeyState
{
    public long AgentId { get; init; }
    public string Name { get; init; } = "";
    public bool IsActive { get; init; }

    /// <summary>When the agent's current key was made; null when it has none (its Broca can only use the API key).</summary>
    public DateTimeOffset? KeyCreatedAt { get; init; }
}

internal static class AgentKeys
{
    /// <summary>A key is random (256 bits), so a plain digest is enough: there is nothing to guess from it.</summary>
    public static string Digest(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
