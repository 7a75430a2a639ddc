namespace ChatBridge.Storage;

/// <summary>The attachments table's SQL, the same on SQLite and PostgreSQL.</summary>
internal static class AttachmentSql
{
    /// <summary>The columns an <see cref="Attachments.AttachmentView"/> is made of, with <c>message_id</c> to group by.</summary>
    private const string ViewColumns = "message_id, public_id AS id, name, media_type AS type, size, width, height, expires_at";

    /// <summary>Inserted only while the client's uploads of the window leave room for it (<c>@budget</c> 0: no budget).</summary>
    public const string Insert = """
        INSERT INTO chatbridge_attachments
            (public_id, session_id, name, media_type, size, width, height, client, created_at, expires_at, content)
        SELECT @publicId, @sessionId, @name, @mediaType, @size, @width, @height, @client, @now, @expiresAt, @content
        WHERE @budget = 0
           OR (SELECT COALESCE(SUM(size), 0) FROM chatbridge_attachments WHERE client = @client AND created_at > @windowStart) + @size <= @budget
        """;

    public const string Usage = """
        SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes, MIN(created_at) AS oldest
        FROM chatbridge_attachments WHERE client = @client AND created_at > @windowStart
        """;

    public const string Find = "SELECT session_id, name, media_type, expires_at FROM chatbridge_attachments WHERE public_id = @publicId";

    public const string Content = "SELECT content FROM chatbridge_attachments WHERE public_id = @publicId";

    /// <summary>An upload of the session that no message carries yet becomes the message's; any other matches nothing.</summary>
    public const string Attach = """
        UPDATE chatbridge_attachments SET message_id = @messageId, position = @position
        WHERE public_id = @publicId AND session_id = @sessionId AND message_id IS NULL
        """;

    public const string OfSession = $"""
        SELECT {ViewColumns} FROM chatbridge_attachments
        WHERE session_id = @sessionId AND message_id IS NOT NULL AND (@afterId IS NULL OR message_id > @afterId)
        ORDER BY message_id, position
        """;

    /// <summary>Those of the messages numbered from <c>@first</c> to <c>@last</c>; the caller keeps the ones it claimed.</summary>
    public const string OfMessageRange = $"""
        SELECT {ViewColumns} FROM chatbridge_attachments
        WHERE message_id >= @first AND message_id <= @last
        ORDER BY message_id, position
        """;

    /// <summary>
    /// Before the idle sessions themselves go (they are found by the same rule), and uploads no message took within the
    /// session timeout, which their page has given up on.
    /// </summary>
    public static string DeleteIdle(string idleSessions) => $"""
        DELETE FROM chatbridge_attachments
        WHERE session_id IN ({idleSessions}) OR (message_id IS NULL AND created_at < @idleBefore)
        RETURNING public_id
        """;

    public const string DeleteAll = "DELETE FROM chatbridge_attachments";

    public const string Totals = "SELECT COUNT(*) AS files, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM chatbridge_attachments";
}
