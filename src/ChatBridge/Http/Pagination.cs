namespace ChatBridge.Http;

internal sealed record Pagination(int Total, int Limit, int Offset, bool HasMore);
