using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Edge.Daemon;

/// <summary>
/// The embedded broker's TCP channel with a packet-size limit (MQTT 3.1.1 §2.2.3, MQTT 5 §3.1.2.11.4/§4.13): it
/// follows the packet boundaries in the bytes MQTTnet reads and, as soon as a fixed header's remaining length exceeds
/// <c>maxPacketBytes</c> — before its last length byte reaches MQTTnet, which would allocate the announced length and
/// wait for the body — closes the connection and reports end of stream. Nothing of the body is read or buffered.
/// </summary>
internal sealed class SizeLimitedMqttChannel : IMqttChannel
{
    private static readonly string[] PacketNames =
        ["reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"];

    private readonly IMqttChannel _inner;
    private readonly long _maxPacketBytes;
    private readonly Action<string> _refused;
    private State _state = State.TypeByte;
    private int _type;
    private long _remainingLength;
    private long _multiplier;
    private long _bodyLeft;
    private bool _closed;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The TCP channel.</param>
    /// <param name="maxPacketBytes">The largest remaining length accepted, bytes.</param>
    /// <param name="refused">Called once when a packet is refused, with its type's name (its length is not read to its
    /// end: it is more than <paramref name="maxPacketBytes"/>).</param>
    public SizeLimitedMqttChannel(IMqttChannel inner, long maxPacketBytes, Action<string> refused)
    {
        _inner = inner;
        _maxPacketBytes = maxPacketBytes;
        _refused = refused;
    }

    private enum State : byte
    {
        TypeByte,
        Length,
    }

    /// <inheritdoc />
    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    /// <inheritdoc />
    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    /// <inheritdoc />
    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    /// <inheritdoc />
    public bool IsSecureConnection => _inner.IsSecureConnection;

    /// <inheritdoc />
    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    /// <inheritdoc />
    public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return 0;
        }

        int n = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        int deliver = Follow(buffer.AsSpan(offset, n));
        if (deliver == n)
        {
            return n;
        }

        _closed = true;
        _refused(PacketNames[_type]);
        _inner.Dispose(); // closes the socket now: the client is disconnected, the body never read
        return deliver; // the packets before the refused one (MQTTnet reads one packet at a time: none), then the end
    }

    /// <inheritdoc />
    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();

    /// <summary>
    /// Follows the packet boundaries over <paramref name="bytes"/>: their length when every packet in them is within
    /// the limit, else where the first one beyond it starts (0 when its header began in an earlier read).
    /// </summary>
    private int Follow(ReadOnlySpan<byte> bytes)
    {
        int i = 0, packetStart = 0;
        while (i < bytes.Length)
        {
            if (_bodyLeft > 0)
            {
                int skip = (int)Math.Min(_bodyLeft, bytes.Length - i);
                _bodyLeft -= skip;
                i += skip;
                continue;
            }

            byte b = bytes[i++];
            if (_state == State.TypeByte)
            {
                packetStart = i - 1;
                _type = b >> 4;
                _remainingLength = 0;
                _multiplier = 1;
                _state = State.Length;
                continue;
            }

            _remainingLength += (b & 0x7F) * _multiplier;
            _multiplier *= 128;
            if (_remainingLength > _maxPacketBytes)
            {
                return packetStart; // refused as soon as the length says so: the rest of the header is not awaited
            }

            if ((b & 0x80) == 0 || _multiplier > 128L * 128 * 128 * 128)
            {
                // The end of the length (a fifth length byte is malformed: MQTTnet refuses it itself).
                _bodyLeft = _remainingLength;
                _state = State.TypeByte;
            }
        }

        return bytes.Length;
    }
}
