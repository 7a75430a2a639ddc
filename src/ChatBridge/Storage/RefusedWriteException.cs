namespace ChatBridge.Storage;

/// <summary>
/// Thrown inside a write when a check after one of its statements refuses it: the write rolls back with all it did,
/// and the store answers <see cref="Reason"/>.
/// </summary>
internal sealed class RefusedWriteException<TReason>(TReason reason) : Exception
{
    public TReason Reason { get; } = reason;
}
