namespace ChatBridge.Api;

internal sealed record Pagination(int Total, int Limit, int Offset, bool HasMore);
