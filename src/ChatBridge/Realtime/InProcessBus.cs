using ChatBridge.Events;

namespace ChatBridge.Realtime;

/// <summary>One instance (SQLite): every event goes straight to this process's listeners.</summary>
internal sealed class InProcessBus(NotificationHub hub) : IRealtimeBus
{
    public void Publish(BusEvent evt) => hub.Deliver(evt);

    /// <summary>There is no other instance.</summary>
    public bool HearsEveryInstance => true;
}
