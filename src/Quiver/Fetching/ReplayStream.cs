namespace Quiver.Fetching;

/// <summary>
/// Reads back a few bytes already taken from a stream, then the rest of that stream: how a deflate
/// body's first bytes are looked at before its decoder is chosen. Hand-written because .NET has no
/// public concatenating stream; read-only and forward-only, which is all a decoder needs.
/// </summary>
internal sealed class ReplayStream(byte[] head, int headLength, Stream rest) : Stream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        if (_position < headLength) return TakeHead(buffer);
        return rest.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < headLength) return ValueTask.FromResult(TakeHead(buffer.Span));
        return rest.ReadAsync(buffer, cancellationToken);
    }

    private int TakeHead(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, headLength - _position);
        head.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) rest.Dispose();
        base.Dispose(disposing);
    }
}
