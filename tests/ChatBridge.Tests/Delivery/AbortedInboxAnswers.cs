using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ChatBridge.Tests.Delivery;

/// <summary>
/// Makes an inbox answer fail on its way out, as when the poller hangs up while it is written: a request carrying
/// <see cref="Header"/> has its connection aborted at the first byte of the response, which never reaches the client.
/// </summary>
internal sealed class AbortedInboxAnswers : IStartupFilter
{
    public const string Header = "X-Test-Abort-Answer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, call) =>
        {
            if (http.Request.Headers.ContainsKey(Header))
            {
                http.Response.Body = new AbortingStream(http);
            }
            await call(http);
        });
        next(app);
    };

    private sealed class AbortingStream(HttpContext http) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => http.Abort();

        /// <summary>Like a server writing to a dead connection: the bytes go nowhere once the abort is seen.</summary>
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            http.Abort();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
