namespace ChatBridge.Hosting;

/// <summary>A command-line verb, run against the configured database instead of serving.</summary>
internal interface IHostCommand
{
    /// <summary>Whether the database is created or upgraded, and keys seeded, before the verb runs.</summary>
    bool InitializesDatabase => true;

    Task<int> RunAsync(IServiceProvider services);
}

internal static class HostCommands
{
    /// <summary>Splits a verb (<c>keys …</c>, <c>backup …</c>, <c>copy-to-postgres …</c>) off the arguments; the rest go to the host's configuration.</summary>
    public static (IHostCommand? Command, string[] HostArgs) Parse(string[] args) => args switch
    {
        ["keys", ..] => KeysCommand.Parse(args),
        ["backup", ..] => BackupCommand.Parse(args),
        ["copy-to-postgres", ..] => CopyToPostgresCommand.Parse(args),
        _ => (null, args),
    };
}
