using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Edge.Modbus.Server;

/// <summary>
/// A Modbus TCP server for simulators and tests: one accept thread, one thread per connection, preallocated frames
/// (no allocation per request). Supports FC 3, 4, 6, 16 and 23; anything else gets
/// <see cref="ModbusExceptionCode.IllegalFunction"/>. Malformed frames (protocol id ≠ 0, bad length) close the
/// connection, as the specification recommends. The register space and any fault behaviour come from the
/// <see cref="IModbusRequestHandler"/>.
/// </summary>
public sealed class ModbusTcpServer : IDisposable
{
    private const int MbapLength = 7;
    private const int MaxAduLength = 260;

    private readonly IModbusRequestHandler _handler;
    private readonly Socket _listener;
    private readonly List<Socket> _connections = [];
    private readonly Lock _lock = new();
    private readonly Thread _acceptThread;
    private readonly int _maxConnections;
    private volatile bool _refuseConnections;
    private volatile bool _stopping;
    private long _requests;

    /// <summary>Binds to <paramref name="address"/>:<paramref name="port"/> (0 = any free port) and starts serving.</summary>
    public ModbusTcpServer(IModbusRequestHandler handler, IPAddress address, int port, int maxConnections = 16)
    {
        _handler = handler;
        _maxConnections = maxConnections;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(address, port));
        _listener.Listen(maxConnections);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = $"modbus-server:{Port}" };
        _acceptThread.Start();
    }

    /// <summary>The TCP port actually bound.</summary>
    public int Port { get; }

    /// <summary>Number of requests answered or handled so far.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Number of open client connections.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>While true, new connections are accepted and closed at once (a device that drops links).</summary>
    public bool RefuseConnections
    {
        get => _refuseConnections;
        set => _refuseConnections = value;
    }

    /// <summary>Closes every open client connection (clients see the peer close).</summary>
    public void DropConnections()
    {
        lock (_lock)
        {
            foreach (Socket s in _connections)
            {
                Close(s);
            }

            _connections.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _listener.Dispose();
        DropConnections();
        _acceptThread.Join(TimeSpan.FromSeconds(2));
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (SocketException)
            {
                if (_stopping)
                {
                    return;
                }

                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                if (_refuseConnections || _stopping || _connections.Count >= _maxConnections)
                {
                    Close(client);
                    continue;
                }

                _connections.Add(client);
            }

            client.NoDelay = true;
            var thread = new Thread(() => Serve(client)) { IsBackground = true, Name = $"modbus-conn:{Port}" };
            thread.Start();
        }
    }

    private void Serve(Socket socket)
    {
        byte[] rx = new byte[MaxAduLength];
        byte[] tx = new byte[MaxAduLength];
        ushort[] registers = new ushort[125];
        try
        {
            while (!_stopping)
            {
                if (!ReceiveExactly(socket, rx.AsSpan(0, MbapLength)))
                {
                    return;
                }

                int protocol = BinaryPrimitives.ReadUInt16BigEndian(rx.AsSpan(2));
                int length = BinaryPrimitives.ReadUInt16BigEndian(rx.AsSpan(4));
                if (protocol != 0 || length < 2 || length > MaxAduLength - 6)
                {
                    return;
                }

                if (!ReceiveExactly(socket, rx.AsSpan(MbapLength, length - 1)))
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                int answerPduLength = Handle(rx.AsSpan(0, MbapLength + length - 1), tx, registers, out ModbusReplyKind kind);
                if (kind == ModbusReplyKind.Drop)
                {
                    return;
                }

                if (kind == ModbusReplyKind.Ignore)
                {
                    continue;
                }

                rx.AsSpan(0, 4).CopyTo(tx); // transaction id, protocol id
                BinaryPrimitives.WriteUInt16BigEndian(tx.AsSpan(4), (ushort)(answerPduLength + 1));
                tx[6] = rx[6];
                int total = MbapLength + answerPduLength;
                int sent = 0;
                while (sent < total)
                {
                    int n = socket.Send(tx.AsSpan(sent, total - sent), SocketFlags.None, out SocketError error);
                    if (error != SocketError.Success || n <= 0)
                    {
                        return;
                    }

                    sent += n;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Dropped by DropConnections or Dispose.
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(socket);
            }

            Close(socket);
        }
    }

    /// <summary>Handles one request frame; writes the answer PDU at <c>tx[7..]</c> and returns its length.</summary>
    private int Handle(ReadOnlySpan<byte> frame, byte[] tx, ushort[] registers, out ModbusReplyKind kind)
    {
        byte unit = frame[6];
        ReadOnlySpan<byte> pdu = frame[MbapLength..];
        Span<byte> answer = tx.AsSpan(MbapLength);
        var function = (ModbusFunction)pdu[0];
        answer[0] = pdu[0];
        ModbusReply reply;
        int length;
        switch (function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                if (pdu.Length != 5)
                {
                    reply = ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue);
                    length = 0;
                    break;
                }

                ushort address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                int count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                reply = CheckRange(address, count, 125);
                length = 2 + 2 * count;
                if (reply.Kind == ModbusReplyKind.Ok)
                {
                    reply = _handler.Read(unit, function, address, registers.AsSpan(0, count));
                    answer[1] = (byte)(2 * count);
                    WriteRegisters(answer[2..], registers.AsSpan(0, count));
                }

                break;
            }

            case ModbusFunction.WriteSingleRegister:
            {
                if (pdu.Length != 5)
                {
                    reply = ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue);
                    length = 0;
                    break;
                }

                ushort address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                registers[0] = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                reply = _handler.Write(unit, function, address, registers.AsSpan(0, 1));
                pdu[1..5].CopyTo(answer[1..]);
                length = 5;
                break;
            }

            case ModbusFunction.WriteMultipleRegisters:
            {
                ushort address = pdu.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]) : (ushort)0;
                int count = pdu.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]) : 0;
                reply = pdu.Length < 6 || pdu[5] != 2 * count || pdu.Length != 6 + 2 * count
                    ? ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue)
                    : CheckRange(address, count, 123);
                if (reply.Kind == ModbusReplyKind.Ok)
                {
                    ReadRegisters(pdu[6..], registers.AsSpan(0, count));
                    reply = _handler.Write(unit, function, address, registers.AsSpan(0, count));
                }

                pdu[1..5].CopyTo(answer[1..]);
                length = 5;
                break;
            }

            case ModbusFunction.ReadWriteMultipleRegisters:
            {
                if (pdu.Length < 10)
                {
                    reply = ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue);
                    length = 0;
                    break;
                }

                ushort readAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                int readCount = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                ushort writeAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[5..]);
                int writeCount = BinaryPrimitives.ReadUInt16BigEndian(pdu[7..]);
                reply = pdu[9] != 2 * writeCount || pdu.Length != 10 + 2 * writeCount
                    ? ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue)
                    : CheckRange(readAddress, readCount, 125);
                if (reply.Kind == ModbusReplyKind.Ok)
                {
                    reply = CheckRange(writeAddress, writeCount, 121);
                }

                if (reply.Kind == ModbusReplyKind.Ok)
                {
                    ReadRegisters(pdu[10..], registers.AsSpan(0, writeCount));
                    reply = _handler.Write(unit, function, writeAddress, registers.AsSpan(0, writeCount));
                }

                if (reply.Kind == ModbusReplyKind.Ok)
                {
                    reply = _handler.Read(unit, function, readAddress, registers.AsSpan(0, readCount));
                    answer[1] = (byte)(2 * readCount);
                    WriteRegisters(answer[2..], registers.AsSpan(0, readCount));
                }

                length = 2 + 2 * readCount;
                break;
            }

            default:
                reply = ModbusReply.Exception(ModbusExceptionCode.IllegalFunction);
                length = 0;
                break;
        }

        kind = reply.Kind;
        if (reply.Kind == ModbusReplyKind.Exception)
        {
            answer[0] = (byte)(pdu[0] | 0x80);
            answer[1] = (byte)reply.Code;
            return 2;
        }

        return length;
    }

    private static ModbusReply CheckRange(ushort address, int count, int maxCount) =>
        count < 1 || count > maxCount ? ModbusReply.Exception(ModbusExceptionCode.IllegalDataValue)
        : address + count > 65536 ? ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress)
        : ModbusReply.Ok;

    private static void ReadRegisters(ReadOnlySpan<byte> bytes, Span<ushort> registers)
    {
        for (int i = 0; i < registers.Length; i++)
        {
            registers[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
        }
    }

    private static void WriteRegisters(Span<byte> bytes, ReadOnlySpan<ushort> registers)
    {
        for (int i = 0; i < registers.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 * i)..], registers[i]);
        }
    }

    private static bool ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = socket.Receive(buffer[got..], SocketFlags.None, out SocketError error);
            if (error != SocketError.Success || n == 0)
            {
                return false;
            }

            got += n;
        }

        return true;
    }

    private static void Close(Socket s)
    {
        try
        {
            s.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        s.Dispose();
    }
}
