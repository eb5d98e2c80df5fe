using System.Runtime.InteropServices;
using Edge.Runtime.Interop;

namespace Edge.Runtime.Files;

/// <summary>
/// A write-only stream over an already open file descriptor (standard output, standard error, <c>/dev/fd/N</c>),
/// written with write(2) so that it shares the descriptor's offset and <c>O_APPEND</c> with the shell that opened it —
/// unlike a <see cref="FileStream"/>, which keeps its own position and would overwrite what others wrote. The descriptor
/// is not closed on dispose.
/// </summary>
public sealed unsafe class FileDescriptorStream(int descriptor) : Stream
{
    private const short PollOut = 4;
    private const int EAGAIN = Libc.EAGAIN;

    /// <summary>The descriptor written to.</summary>
    public int Descriptor { get; } = descriptor;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.Write(Descriptor, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                buffer = buffer[(int)n..];
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
            {
                continue;
            }

            if (errno == EAGAIN)
            {
                // A non-blocking pipe that is full: wait until the reader makes room.
                var fd = new Libc.PollFd { Fd = Descriptor, Events = PollOut };
                _ = Libc.PPoll(&fd, 1, null, null);
                continue;
            }

            throw new IOException($"cannot write to file descriptor {Descriptor}: {Libc.Describe(errno)}");
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
