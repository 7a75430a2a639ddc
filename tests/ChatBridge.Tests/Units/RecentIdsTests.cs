using ChatBridge.Storage.Postgres;

namespace ChatBridge.Tests.Units;

/// <summary>The replies an instance already delivered, so a reply heard twice (notice and catch-up) reaches listeners once.</summary>
public sealed class RecentIdsTests
{
    [Fact]
    public void An_id_is_new_once()
    {
        var ids = new RecentIds(capacity: 3);

        Assert.False(ids.Contains(5));
        Assert.True(ids.Add(5));
        Assert.False(ids.Add(5));
        Assert.True(ids.Contains(5));
    }

    [Fact]
    public void Past_its_capacity_it_forgets_the_oldest_first()
    {
        var ids = new RecentIds(capacity: 3);
        foreach (var id in new long[] { 1, 2, 3, 4 })
        {
            Assert.True(ids.Add(id));
        }

        Assert.False(ids.Contains(1));
        Assert.All(new long[] { 2, 3, 4 }, id => Assert.True(ids.Contains(id)));
        Assert.True(ids.Add(1));
        Assert.False(ids.Contains(2));
    }

    [Fact]
    public void Adding_an_id_again_does_not_make_it_newer()
    {
        var ids = new RecentIds(capacity: 2);
        ids.Add(1);
        ids.Add(2);

        Assert.False(ids.Add(1));
        ids.Add(3);

        Assert.False(ids.Contains(1));
        Assert.True(ids.Contains(2));
    }

    [Fact]
    public void Concurrent_adds_of_the_same_ids_succeed_once_each()
    {
        var ids = new RecentIds(capacity: 10_000);

        var added = Enumerable.Range(0, 4).AsParallel()
            .SelectMany(_ => Enumerable.Range(0, 1000).Where(id => ids.Add(id)))
            .ToList();

        Assert.Equal(Enumerable.Range(0, 1000), added.Order());
    }
}
