namespace ChatBridge.Agents;

internal sealed record Agent
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string Status { get; init; } = "";
}
