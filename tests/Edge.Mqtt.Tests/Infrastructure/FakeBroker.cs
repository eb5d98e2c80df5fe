using System.Net;
using System.Net.Sockets;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>A scripted "broker" on a loopback socket: the test reads what the client sends and writes raw bytes back.</summary>
internal sealed class FakeBroker : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public FakeBroker() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public FakeConnection Accept(TimeSpan timeout)
    {
        Task<TcpClient> t = _listener.AcceptTcpClientAsync();
        if (!t.Wait(timeout))
        {
            throw new TimeoutException("The client did not connect.");
        }

        return new FakeConnection(t.Result);
    }

    public void Dispose() => _listener.Stop();

    public static byte[] ConnAck(bool sessionPresent = false, byte code = 0) => [0x20, 0x02, sessionPresent ? (byte)1 : (byte)0, code];
}

internal sealed record FakePacket(PacketType Type, byte Flags, byte[] Body);

internal sealed class FakeConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _count;

    public FakeConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Reads the next packet the client sends; null when it closed the connection.</summary>
    public FakePacket? Read(TimeSpan timeout)
    {
        _client.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        while (true)
        {
            DecodeStatus s = MqttPacketReader.TryReadFrame(_buffer.AsSpan(0, _count), _buffer.Length, out MqttFrame f, out string? error);
            if (s == DecodeStatus.Malformed)
            {
                throw new InvalidOperationException("client sent a malformed packet: " + error);
            }

            if (s == DecodeStatus.Complete)
            {
                var p = new FakePacket(f.Type, f.Flags, f.Body.ToArray());
                int total = f.TotalLength;
                Buffer.BlockCopy(_buffer, total, _buffer, 0, _count - total);
                _count -= total;
                return p;
            }

            int n;
            try
            {
                n = _stream.Read(_buffer, _count, _buffer.Length - _count);
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _count += n;
        }
    }

    /// <summary>Reads packets until one of <paramref name="type"/> arrives.</summary>
    public FakePacket ReadUntil(PacketType type, TimeSpan timeout)
    {
        while (true)
        {
            FakePacket p = Read(timeout) ?? throw new InvalidOperationException($"connection closed while waiting for {type}");
            if (p.Type == type)
            {
                return p;
            }
        }
    }

    public void Send(byte[] bytes) => _stream.Write(bytes);

    public void Dispose() => _client.Dispose();
}
