namespace ChatBridge.Accounts;

/// <summary>
/// Checks a password against the control app's hashes (Python's <c>bcrypt.hashpw</c>: <c>$2b$</c>, cost 12). A name
/// with no account is checked against a hash of the same cost, so an unknown name takes as long as a wrong password.
/// </summary>
internal static class Passwords
{
    private static readonly Lazy<string> Decoy = new(() => BCrypt.Net.BCrypt.HashPassword(SessionTokens.New(), workFactor: 12));

    /// <summary>bcrypt is work on purpose: a quarter of a second of one core at cost 12, off the request thread's way.</summary>
    public static Task<bool> MatchesAsync(string password, string? hash) =>
        Task.Run(() =>
        {
            try
            {
                return BCrypt.Net.BCrypt.Verify(password, hash ?? Decoy.Value) && hash is not null;
            }
            catch (BCrypt.Net.SaltParseException)
            {
                // Not a bcrypt hash (an account the bridge's upgrade filled in, say): no password matches it.
                BCrypt.Net.BCrypt.Verify(password, Decoy.Value);
                return false;
            }
        });
}
