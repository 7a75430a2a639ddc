using Microsoft.AspNetCore.Mvc;

namespace ChatBridge.Http;

internal sealed record Pagination(int Total, int Limit, int Offset, bool HasMore);

/// <summary>The query of a list that pages by <c>limit</c> and <c>offset</c> and nothing else.</summary>
internal sealed record PageQuery
{
    [FromQuery(Name = "limit")]
    public QueryNumber? Limit { get; init; }

    [FromQuery(Name = "offset")]
    public QueryNumber? Offset { get; init; }
}
