namespace ChatBridge.Storage;

/// <summary>The schema files <c>db/init_database*.sql</c>, embedded in the assembly so a deployment cannot lose them.</summary>
internal static class InitScript
{
    public static string Text { get; } = Load("init_database.sql");

    public static string Postgres { get; } = Load("init_database.postgres.sql");

    /// <summary>
    /// One table's <c>CREATE TABLE IF NOT EXISTS</c> from <paramref name="script"/>, with <c>{table}</c> in place of its
    /// name: the schema file stays the one place a table's shape is written down.
    /// </summary>
    public static string CreateTable(string script, string table)
    {
        var start = script.IndexOf($"CREATE TABLE IF NOT EXISTS {table} (", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"The schema file declares no table {table}.");
        }
        var end = script.IndexOf("\n);", start, StringComparison.Ordinal) + 3;
        return script[start..end].Replace($"EXISTS {table} (", "EXISTS {table} (", StringComparison.Ordinal);
    }

    /// <summary>The attachments table's indexes from <paramref name="script"/>, every line that creates one.</summary>
    public static string AttachmentIndexes(string script) =>
        string.Join('\n', script.Split('\n').Where(line => line.StartsWith("CREATE INDEX IF NOT EXISTS idx_chatbridge_attachments_", StringComparison.Ordinal)));

    private static string Load(string file)
    {
        using var stream = typeof(InitScript).Assembly.GetManifestResourceStream("ChatBridge." + file)
            ?? throw new InvalidOperationException($"{file} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
