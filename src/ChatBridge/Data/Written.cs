namespace ChatBridge.Data;

/// <summary>
/// A write every connection (and every instance) can now see. <see cref="Durable"/> completes once it also survives a
/// power cut: announce the write to listeners as soon as you have this, and await <see cref="Durable"/> before telling
/// the client it is stored. Where the commit itself is durable, <see cref="Durable"/> is already complete.
/// </summary>
internal sealed record Written<T>(T Value, Task Durable)
{
    public static Written<T> Durably(T value) => new(value, Task.CompletedTask);
}
