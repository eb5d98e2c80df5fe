using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Edge.Modbus.Client;

/// <summary>
/// A strict, synchronous Modbus TCP client for one device, used by exactly one thread (the device's I/O worker).
/// <list type="bullet">
/// <item>Function codes 3, 4, 6, 16 and 23; every answer is checked (transaction id, protocol id, length, unit,
/// function, byte count, echoed address and quantity) and failures come back as a typed <see cref="ModbusResult"/>.</item>
/// <item>Every request has a finite timeout. After a timeout, a wrong transaction id or a malformed answer the
/// connection is closed, because a late answer would otherwise be taken for the next one.</item>
/// <item>Reconnects on the next request; consecutive connect failures back off exponentially
/// (<see cref="ModbusClientOptions.ReconnectInitialMs"/> doubling up to <see cref="ModbusClientOptions.ReconnectMaxMs"/>);
/// while backing off a request returns <see cref="ModbusStatus.NotConnected"/> at once.</item>
/// <item>A configurable minimum gap separates transactions.</item>
/// <item>Steady state allocates nothing: frames live in preallocated buffers and the socket is driven with span-based
/// Send/Receive and Poll (connecting allocates).</item>
/// </list>
/// </summary>
public sealed class ModbusTcpClient : IDisposable
{
    private const int MbapLength = 7;
    private const int MaxAduLength = 260;
    private const int MaxReadCount = 125;
    private const int MaxWriteCount = 123;
    private const int MaxReadWriteWriteCount = 121;

    private readonly ModbusClientOptions _options;
    private readonly byte[] _tx = new byte[MaxAduLength];
    private readonly byte[] _rx = new byte[MaxAduLength];
    private readonly long _requestTimeoutTicks;
    private readonly long _minGapTicks;
    private Socket? _socket;
    private ushort _transactionId;
    private long _lastTransactionEndTicks;
    private long _nextConnectTicks;
    private int _backoffMs;
    private bool _disposed;

    /// <summary>Creates a client; nothing is connected until the first request or <see cref="TryConnect"/>.</summary>
    public ModbusTcpClient(ModbusClientOptions options)
    {
        IReadOnlyList<Core.OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options.Clone();
        _requestTimeoutTicks = _options.RequestTimeoutMs * Stopwatch.Frequency / 1000;
        _minGapTicks = (long)(_options.MinGapMs * Stopwatch.Frequency / 1000);
        _backoffMs = _options.ReconnectInitialMs;
    }

    /// <summary>The options in force (a private copy).</summary>
    public ModbusClientOptions Options => _options;

    /// <summary>True while a TCP connection is open.</summary>
    public bool IsConnected => _socket is not null;

    /// <summary>Running totals.</summary>
    public ModbusClientCounters Counters { get; } = new();

    /// <summary>The transaction id of the last request sent.</summary>
    public ushort LastTransactionId => _transactionId;

    /// <summary>FC 3: reads <c>destination.Length</c> (1–125) holding registers starting at <paramref name="address"/>.</summary>
    public ModbusResult ReadHoldingRegisters(byte unitId, ushort address, Span<ushort> destination) =>
        Read(ModbusFunction.ReadHoldingRegisters, unitId, address, destination);

    /// <summary>FC 4: reads <c>destination.Length</c> (1–125) input registers starting at <paramref name="address"/>.</summary>
    public ModbusResult ReadInputRegisters(byte unitId, ushort address, Span<ushort> destination) =>
        Read(ModbusFunction.ReadInputRegisters, unitId, address, destination);

    /// <summary>FC 6: writes one holding register; the echo is checked.</summary>
    public ModbusResult WriteSingleRegister(byte unitId, ushort address, ushort value)
    {
        Span<byte> pdu = _tx.AsSpan(MbapLength);
        pdu[0] = (byte)ModbusFunction.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value);
        ModbusResult r = Transact(unitId, 5, out int length);
        if (!r.IsOk)
        {
            return r;
        }

        ReadOnlySpan<byte> answer = _rx.AsSpan(MbapLength + 1, length - 1);
        return length == 5 && BinaryPrimitives.ReadUInt16BigEndian(answer) == address && BinaryPrimitives.ReadUInt16BigEndian(answer[2..]) == value
            ? r
            : Fail(ModbusStatus.MalformedResponse);
    }

    /// <summary>FC 16: writes 1–123 holding registers starting at <paramref name="address"/>; the echo is checked.</summary>
    public ModbusResult WriteMultipleRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        if (values.Length is < 1 or > MaxWriteCount || address + values.Length > 65536)
        {
            return Invalid();
        }

        Span<byte> pdu = _tx.AsSpan(MbapLength);
        pdu[0] = (byte)ModbusFunction.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu[(6 + 2 * i)..], values[i]);
        }

        ModbusResult r = Transact(unitId, 6 + 2 * values.Length, out int length);
        if (!r.IsOk)
        {
            return r;
        }

        ReadOnlySpan<byte> answer = _rx.AsSpan(MbapLength + 1, length - 1);
        return length == 5 && BinaryPrimitives.ReadUInt16BigEndian(answer) == address && BinaryPrimitives.ReadUInt16BigEndian(answer[2..]) == values.Length
            ? r
            : Fail(ModbusStatus.MalformedResponse);
    }

    /// <summary>
    /// FC 23: writes 1–121 registers at <paramref name="writeAddress"/>, then reads <c>destination.Length</c> (1–125)
    /// registers at <paramref name="readAddress"/>, in one transaction.
    /// </summary>
    public ModbusResult ReadWriteMultipleRegisters(byte unitId, ushort readAddress, Span<ushort> destination, ushort writeAddress, ReadOnlySpan<ushort> values)
    {
        if (destination.Length is < 1 or > MaxReadCount || values.Length is < 1 or > MaxReadWriteWriteCount
            || readAddress + destination.Length > 65536 || writeAddress + values.Length > 65536)
        {
            return Invalid();
        }

        Span<byte> pdu = _tx.AsSpan(MbapLength);
        pdu[0] = (byte)ModbusFunction.ReadWriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], readAddress);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)destination.Length);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[5..], writeAddress);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[7..], (ushort)values.Length);
        pdu[9] = (byte)(values.Length * 2);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu[(10 + 2 * i)..], values[i]);
        }

        ModbusResult r = Transact(unitId, 10 + 2 * values.Length, out int length);
        return r.IsOk ? CopyRegisters(length, destination) : r;
    }

    /// <summary>Connects now if not connected and the backoff allows it. Returns true when connected.</summary>
    public bool TryConnect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_socket is not null)
        {
            return true;
        }

        long now = Stopwatch.GetTimestamp();
        if (now < _nextConnectTicks)
        {
            return false;
        }

        Socket? socket = null;
        try
        {
            IPAddress address = IPAddress.TryParse(_options.Host, out IPAddress? ip) ? ip : Dns.GetHostAddresses(_options.Host)[0];
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var cts = new CancellationTokenSource(_options.ConnectTimeoutMs))
            {
                socket.ConnectAsync(new IPEndPoint(address, _options.Port), cts.Token).AsTask().GetAwaiter().GetResult();
            }

            socket.SendTimeout = _options.RequestTimeoutMs;
            _socket = socket;
            _backoffMs = _options.ReconnectInitialMs;
            _nextConnectTicks = 0;
            Counters.CountConnect(true);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IndexOutOfRangeException or ArgumentException)
        {
            socket?.Dispose();
            _nextConnectTicks = now + _backoffMs * Stopwatch.Frequency / 1000;
            _backoffMs = Math.Min(_backoffMs * 2, _options.ReconnectMaxMs);
            Counters.CountConnect(false);
            return false;
        }
    }

    /// <summary>Closes the connection (the next request reconnects).</summary>
    public void Disconnect()
    {
        Socket? s = _socket;
        _socket = null;
        if (s is not null)
        {
            try
            {
                s.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already gone.
            }

            s.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            Disconnect();
            _disposed = true;
        }
    }

    private ModbusResult Read(ModbusFunction function, byte unitId, ushort address, Span<ushort> destination)
    {
        if (destination.Length is < 1 or > MaxReadCount || address + destination.Length > 65536)
        {
            return Invalid();
        }

        Span<byte> pdu = _tx.AsSpan(MbapLength);
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)destination.Length);
        ModbusResult r = Transact(unitId, 5, out int length);
        return r.IsOk ? CopyRegisters(length, destination) : r;
    }

    private ModbusResult CopyRegisters(int pduLength, Span<ushort> destination)
    {
        ReadOnlySpan<byte> pdu = _rx.AsSpan(MbapLength, pduLength);
        if (pduLength != 2 + 2 * destination.Length || pdu[1] != 2 * destination.Length)
        {
            return Fail(ModbusStatus.MalformedResponse);
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(2 + 2 * i)..]);
        }

        return ModbusResult.Ok;
    }

    /// <summary>Sends the PDU already in <c>_tx[7..]</c>, receives and checks the answer's header.</summary>
    /// <param name="unitId">Unit identifier.</param>
    /// <param name="pduLength">Request PDU length (function code included).</param>
    /// <param name="responsePduLength">Answer PDU length (function code included) when the result is Ok.</param>
    private ModbusResult Transact(byte unitId, int pduLength, out int responsePduLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        responsePduLength = 0;
        if (_socket is null && !TryConnect())
        {
            return Fail(ModbusStatus.NotConnected, disconnect: false);
        }

        WaitForGap();
        Socket socket = _socket!;
        byte function = _tx[MbapLength];
        ushort tid = unchecked(++_transactionId);
        Span<byte> header = _tx.AsSpan(0, MbapLength);
        BinaryPrimitives.WriteUInt16BigEndian(header, tid);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(pduLength + 1));
        header[6] = unitId;

        long deadline = Stopwatch.GetTimestamp() + _requestTimeoutTicks;
        ReadOnlySpan<byte> frame = _tx.AsSpan(0, MbapLength + pduLength);
        while (!frame.IsEmpty)
        {
            int sent = socket.Send(frame, SocketFlags.None, out SocketError error);
            if (error != SocketError.Success || sent <= 0)
            {
                return Fail(error is SocketError.TimedOut or SocketError.WouldBlock ? ModbusStatus.Timeout : ModbusStatus.ConnectionLost);
            }

            frame = frame[sent..];
        }

        ModbusStatus status = ReceiveExactly(socket, _rx.AsSpan(0, MbapLength), deadline);
        if (status != ModbusStatus.Ok)
        {
            return Fail(status);
        }

        ushort gotTid = BinaryPrimitives.ReadUInt16BigEndian(_rx);
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(2));
        int length = BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(4));
        if (gotTid != tid)
        {
            return Fail(ModbusStatus.TransactionIdMismatch);
        }

        if (protocol != 0 || length < 3 || length > MaxAduLength - 6 || _rx[6] != unitId)
        {
            return Fail(ModbusStatus.MalformedResponse);
        }

        status = ReceiveExactly(socket, _rx.AsSpan(MbapLength, length - 1), deadline);
        if (status != ModbusStatus.Ok)
        {
            return Fail(status);
        }

        _lastTransactionEndTicks = Stopwatch.GetTimestamp();
        byte gotFunction = _rx[MbapLength];
        if (gotFunction == (function | 0x80))
        {
            var exception = new ModbusResult(ModbusStatus.Exception, (ModbusExceptionCode)_rx[MbapLength + 1]);
            Counters.Count(ModbusStatus.Exception);
            return length == 3 ? exception : Fail(ModbusStatus.MalformedResponse);
        }

        if (gotFunction != function)
        {
            return Fail(ModbusStatus.MalformedResponse);
        }

        responsePduLength = length - 1;
        Counters.Count(ModbusStatus.Ok);
        return ModbusResult.Ok;
    }

    private static ModbusStatus ReceiveExactly(Socket socket, Span<byte> buffer, long deadlineTicks)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            long remainingTicks = deadlineTicks - Stopwatch.GetTimestamp();
            if (remainingTicks <= 0)
            {
                return ModbusStatus.Timeout;
            }

            int remainingUs = (int)Math.Min(int.MaxValue, Math.Max(1, remainingTicks * 1_000_000 / Stopwatch.Frequency));
            if (!socket.Poll(remainingUs, SelectMode.SelectRead))
            {
                continue; // Loop re-checks the deadline; Poll may return early.
            }

            int n = socket.Receive(buffer[got..], SocketFlags.None, out SocketError error);
            if (error != SocketError.Success || n == 0)
            {
                return ModbusStatus.ConnectionLost;
            }

            got += n;
        }

        return ModbusStatus.Ok;
    }

    private void WaitForGap()
    {
        if (_minGapTicks <= 0)
        {
            return;
        }

        long due = _lastTransactionEndTicks + _minGapTicks;
        long remaining = due - Stopwatch.GetTimestamp();
        if (remaining > 2 * Stopwatch.Frequency / 1000)
        {
            Thread.Sleep((int)(remaining * 1000 / Stopwatch.Frequency) - 1);
        }

        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(16);
        }
    }

    private ModbusResult Invalid()
    {
        Counters.Count(ModbusStatus.InvalidRequest);
        return new ModbusResult(ModbusStatus.InvalidRequest);
    }

    private ModbusResult Fail(ModbusStatus status, bool disconnect = true)
    {
        if (disconnect)
        {
            Disconnect();
            _lastTransactionEndTicks = Stopwatch.GetTimestamp();
        }

        Counters.Count(status);
        return new ModbusResult(status);
    }
}
