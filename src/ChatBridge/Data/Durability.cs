namespace ChatBridge.Data;

/// <summary>How far a write must have got before its caller hears "done".</summary>
internal enum Durability
{
    /// <summary>On the disk: it survives a power cut. For anything a client was told is stored.</summary>
    Synced,

    /// <summary>
    /// Committed: every connection sees it and it survives this process being killed, but a power cut before the
    /// next sync (a millisecond or so later) may undo it. For writes that are harmless to lose that way: an inbox
    /// claim (the message is handed out again) or a session's activity time.
    /// </summary>
    Committed,
}
