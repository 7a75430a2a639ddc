namespace ChatBridge.Storage;

/// <summary>The schema files <c>db/init_database*.sql</c>, embedded in the assembly so a deployment cannot lose them.</summary>
internal static class InitScript
{
    public static string Text { get; } = Load("init_database.sql");

    public static string Postgres { get; } = Load("init_database.postgres.sql");

    private static string Load(string file)
    {
        using var stream = typeof(InitScript).Assembly.GetManifestResourceStream("ChatBridge." + file)
            ?? throw new InvalidOperationException($"{file} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
