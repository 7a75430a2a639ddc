using System.Collections.Concurrent;
using ChatBridge.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBridge.Tests.Postgres;

/// <summary>How a statement ran: in a write's transaction, or as a statement write without one.</summary>
internal enum WriteKind { Transaction, Statement }

/// <summary>The engine's <see cref="IDatabase"/>, noting the text of every statement each kind of write runs.</summary>
internal sealed class RecordingDatabase(IDatabase inner) : IDatabase
{
    public ConcurrentQueue<(WriteKind Kind, string Sql)> Writes { get; } = new();

    /// <summary>Puts itself in front of the host's engine.</summary>
    public static Action<IServiceCollection> Around(Action<RecordingDatabase> found) => services =>
    {
        var engine = services.Single(d => d.ServiceType == typeof(IDatabase));
        services.Remove(engine);
        services.AddSingleton(engine.ImplementationType!);
        services.AddSingleton<IDatabase>(provider =>
        {
            var recording = new RecordingDatabase((IDatabase)provider.GetRequiredService(engine.ImplementationType!));
            found(recording);
            return recording;
        });
    };

    /// <summary>The kinds of write, in order, that ran a statement containing <paramref name="fragment"/>; taken off the record.</summary>
    public List<WriteKind> TakeKindsOf(string fragment)
    {
        var kinds = new List<WriteKind>();
        while (Writes.TryDequeue(out var write))
        {
            if (write.Sql.Contains(fragment, StringComparison.Ordinal))
            {
                kinds.Add(write.Kind);
            }
        }
        return kinds;
    }

    public Task<T> ReadAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => inner.ReadAsync(read, ct);

    public Task<T> ReadStatementAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => inner.ReadStatementAsync(read, ct);

    public Task<T> ProbeAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => inner.ProbeAsync(read, ct);

    public Task<T> ReadSnapshotAsync<T>(Func<ISqlSession, Task<T>> read, CancellationToken ct) => inner.ReadSnapshotAsync(read, ct);

    public Task<Written<T>> WriteAsync<T>(Func<ISqlSession, Task<T>> write, Durability durability, CancellationToken ct) =>
        inner.WriteAsync(sql => write(new Recording(sql, WriteKind.Transaction, Writes)), durability, ct);

    public Task<Written<T>> WriteStatementAsync<T>(Func<ISqlSession, Task<T>> statement, CancellationToken ct) =>
        inner.WriteStatementAsync(sql => statement(new Recording(sql, WriteKind.Statement, Writes)), ct);

    private sealed class Recording(ISqlSession inner, WriteKind kind, ConcurrentQueue<(WriteKind, string)> log) : ISqlSession
    {
        public Task<int> ExecuteAsync(string sql, params SqlParam[] parameters) => inner.ExecuteAsync(Note(sql), parameters);

        public Task<T?> ScalarAsync<T>(string sql, params SqlParam[] parameters) => inner.ScalarAsync<T>(Note(sql), parameters);

        public Task<List<T>> QueryAsync<T>(string sql, params SqlParam[] parameters) => inner.QueryAsync<T>(Note(sql), parameters);

        public Task<T?> FirstOrDefaultAsync<T>(string sql, params SqlParam[] parameters) => inner.FirstOrDefaultAsync<T>(Note(sql), parameters);

        private string Note(string sql)
        {
            log.Enqueue((kind, sql));
            return sql;
        }
    }
}
