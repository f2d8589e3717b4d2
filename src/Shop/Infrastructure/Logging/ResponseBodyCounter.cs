using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Counts the bytes of a response body as they are written, for the access log's size field. Most
/// answers are JSON written as they are serialized (chunked), so <c>Content-Length</c> is unknown
/// and the log would say <c>-</c>. It wraps the response body feature: everything written goes
/// through it once, whether by the pipe writer or the stream, and nothing is buffered here.
/// </summary>
public sealed class ResponseBodyCounter : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private CountingWriter? _writer;
    private CountingStream? _stream;

    private ResponseBodyCounter(IHttpResponseBodyFeature inner) => _inner = inner;

    /// <summary>Bytes of body written so far (without the chunked framing), as gunicorn's <c>%(B)s</c>.</summary>
    public long Bytes { get; private set; }

    /// <summary>Puts a counter in front of the request's response body.</summary>
    public static ResponseBodyCounter Attach(HttpContext context)
    {
        var counter = new ResponseBodyCounter(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(counter);
        return counter;
    }

    public Stream Stream => _stream ??= new CountingStream(_inner.Stream, this);

    public PipeWriter Writer => _writer ??= new CountingWriter(_inner.Writer, this);

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await _inner.SendFileAsync(path, offset, count, cancellationToken);
        Bytes += count ?? new FileInfo(path).Length - offset;
    }

    public Task CompleteAsync() => _inner.CompleteAsync();

    private sealed class CountingWriter(PipeWriter inner, ResponseBodyCounter counter) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            counter.Bytes += bytes;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            counter.Bytes += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    private sealed class CountingStream(Stream inner, ResponseBodyCounter counter) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            counter.Bytes += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            counter.Bytes += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            counter.Bytes += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
