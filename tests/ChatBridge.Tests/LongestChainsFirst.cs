using Xunit.Abstractions;

[assembly: TestCollectionOrderer("ChatBridge.Tests.LongestChainsFirst", "ChatBridge.Tests")]

namespace ChatBridge.Tests;

/// <summary>
/// Starts the browser collections before every other one. Each is a chain of classes that runs one after another
/// (a few minutes of pages), while the other collections are single classes any free thread can take. Started last,
/// as the default order had them, the two chains ran alone at the end of a pass on two of its threads.
/// </summary>
public sealed class LongestChainsFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(collection => collection.DisplayName.StartsWith(Browser.BrowserCollection.Prefix, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(collection => collection.UniqueID);
}
