namespace ChatBridge.Configuration;

/// <summary>
/// Where relative paths in the configuration point. Run from a checkout (a build under the folder holding
/// <c>ChatBridge.sln</c>), they are taken from the repository root, as the contract's default <c>db/sanctum_ui.db</c>
/// says; deployed without one, from the application's folder, which is the content root whatever the working directory.
/// </summary>
internal static class BridgePaths
{
    private const string SolutionFile = "ChatBridge.sln";

    public static string Resolve(string path, IHostEnvironment environment) =>
        Path.GetFullPath(path, RepositoryRoot(environment.ContentRootPath) ?? environment.ContentRootPath);

    private static string? RepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return folder.FullName;
            }
        }
        return null;
    }
}
