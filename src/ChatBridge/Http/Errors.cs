namespace ChatBridge.Http;

/// <summary>Every error text the API answers with. The contract's strings are exact: clients match on them.</summary>
internal static class Errors
{
    public const string MissingAction = "Missing action parameter";
    public const string InvalidAction = "Invalid action";
    public const string MethodNotAllowed = "Method not allowed";
    public const string InvalidJson = "Invalid JSON";
    public const string MissingRequiredFields = "Missing required fields";
    public const string InvalidSessionId = "Invalid session ID";
    public const string InvalidMessage = "Invalid message";
    public const string MissingSessionId = "Missing session_id";
    public const string AuthenticationRequired = "Authentication required";
    public const string InvalidApiKey = "Invalid API key";
    public const string InvalidAdminKey = "Invalid admin key";
    public const string RateLimitExceeded = "Rate limit exceeded";
    public const string InvalidSession = "Invalid session";
    public const string SessionNotFound = "Session not found";
    public const string EndpointNotFound = "Endpoint not found";
    public const string InternalServerError = "Internal server error";

    // Beyond the contract's list: the same style, for cases it does not name.
    public const string RequestTooLarge = "Request body too large";
    public const string InvalidRequestBody = "Invalid request body";
    public const string InvalidResponse = "Invalid response";
    public const string InvalidMessageId = "Invalid message_id";
    public const string InvalidTimestamp = "Invalid timestamp";
    public const string InvalidAgentId = "Invalid agent_id";
    public const string DatabaseBusy = "Service busy, retry shortly";

    public const string DatabaseUnavailable = "Database unavailable, retry shortly";
    public const string StorageFull = "Storage full: the message could not be stored, retry later";
    public const string StorageUnavailable = "Storage unavailable: writes are stopped until the service restarts";
    public const string KeysMustDiffer = "api_key and admin_key must differ";
    public const string WebSocketRequired = "WebSocket upgrade required";
    public const string OriginNotAllowed = "Origin not allowed";
    public const string SessionOfAnotherAgent = "Session belongs to another agent";
    public const string InvalidCredentials = "Invalid username or password";
    public const string AccountDeactivated = "Account is deactivated";
    public const string AdminRequired = "Admin access required";
    public const string MessageAlreadyAnswered = "Message already answered";
    public const string MessageDropped = "Message was dropped";
    public const string FileTooLarge = "File too large";
    public const string UnsupportedFileType = "Unsupported file type";
    public const string EmptyFile = "Empty file";
    public const string ImageTooLarge = "Image dimensions too large";
    public const string OneFilePerUpload = "Only one file per upload";
    public const string UploadBudgetSpent = "Upload limit reached, retry later";
    public const string InvalidAttachments = "Invalid attachments";
    public const string TooManyAttachments = "Too many attachments";
    public const string FileNotFound = "File not found";
    public const string InvalidSessionToken = "Invalid session token";
    public const string InvalidClientMessageId = "Invalid client_message_id";
    public const string InvalidResponseId = "Invalid response_id";
    public const string InvalidRating = "Invalid rating: expected \"up\", \"down\" or \"none\"";
    public const string InvalidReason = "Invalid reason: at most 500 characters";
    public const string ResponseNotFound = "Response not found";
    public const string NotYourSession = "Not your session";
    public const string InvalidTypingState = "Invalid state: expected \"start\" or \"stop\"";

    /// <summary>A bad query parameter names itself: <c>Invalid limit parameter</c>.</summary>
    public static string InvalidParameter(string name) => $"Invalid {name} parameter";

    public static string UnknownConfigKey(string key) => $"Unknown config key: {key}";

    public static string InvalidConfigValue(string key, string requirement) => $"Invalid value for {key}: {requirement}";

    /// <summary>A setting sent as the wrong JSON type (the string <c>"12000"</c> for a number) is told so, not that it is out of range.</summary>
    public static string WrongConfigType(string key, string expected, string actual) => $"Invalid value for {key}: expected {expected}, got {actual}";
}
