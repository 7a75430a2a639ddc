namespace ChatBridge.Attachments;

internal static class AttachmentsExtensions
{
    /// <summary>One inspector for the server, so its bound on concurrent image decodes holds for every upload.</summary>
    public static IServiceCollection AddAttachments(this IServiceCollection services)
    {
        services.AddSingleton(_ => new AttachmentInspector(new AttachmentOptions()));
        services.AddSingleton<AttachmentLinks>();
        return services;
    }
}
