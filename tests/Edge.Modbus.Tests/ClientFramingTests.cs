using System.Buffers.Binary;
using System.Diagnostics;
using Edge.Modbus.Client;

namespace Edge.Modbus.Tests;

/// <summary>Framing edge cases: every malformed or missing answer becomes a typed result, never an exception or a hang.</summary>
public sealed class ClientFramingTests
{
    private static ModbusTcpClient Client(int port, int timeoutMs = 300, double minGapMs = 0) =>
        new(new ModbusClientOptions { Port = port, RequestTimeoutMs = timeoutMs, ReconnectInitialMs = 50, ReconnectMaxMs = 400, MinGapMs = minGapMs });

    private static readonly byte[] TwoRegisters = [3, 4, 0x12, 0x34, 0xAB, 0xCD];

    [Fact]
    public void A_correct_answer_is_decoded()
    {
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, TwoRegisters)));
        using var client = Client(server.Port);
        ushort[] regs = new ushort[2];
        Assert.Equal(ModbusResult.Ok, client.ReadHoldingRegisters(1, 10, regs));
        Assert.Equal([0x1234, 0xABCD], regs);
    }

    [Fact]
    public void A_wrong_transaction_id_is_reported_and_the_link_reset()
    {
        using var server = new ScriptedServer(req =>
            new(ScriptedServer.Frame((ushort)(BinaryPrimitives.ReadUInt16BigEndian(req) + 7), req[6], TwoRegisters)));
        using var client = Client(server.Port);
        Assert.Equal(ModbusStatus.TransactionIdMismatch, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void A_short_frame_times_out()
    {
        // Header promises 7 bytes of PDU, only 3 arrive, the peer keeps the link open.
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, TwoRegisters)[..10]));
        using var client = Client(server.Port, timeoutMs: 200);
        var sw = Stopwatch.StartNew();
        Assert.Equal(ModbusStatus.Timeout, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.InRange(sw.ElapsedMilliseconds, 150, 5000);
        Assert.Equal(1, client.Counters.Timeouts);
    }

    [Fact]
    public void A_peer_that_closes_mid_frame_is_a_lost_connection()
    {
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, TwoRegisters)[..9], Close: true));
        using var client = Client(server.Port);
        Assert.Equal(ModbusStatus.ConnectionLost, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void No_answer_at_all_times_out_within_the_request_timeout()
    {
        using var server = new ScriptedServer(_ => new([]));
        using var client = Client(server.Port, timeoutMs: 250);
        var sw = Stopwatch.StartNew();
        Assert.Equal(ModbusStatus.Timeout, client.WriteSingleRegister(1, 1, 2).Status);
        Assert.InRange(sw.ElapsedMilliseconds, 200, 5000);
    }

    [Theory]
    [InlineData(ModbusExceptionCode.IllegalFunction)]
    [InlineData(ModbusExceptionCode.IllegalDataAddress)]
    [InlineData(ModbusExceptionCode.IllegalDataValue)]
    [InlineData(ModbusExceptionCode.ServerDeviceFailure)]
    [InlineData(ModbusExceptionCode.ServerDeviceBusy)]
    [InlineData(ModbusExceptionCode.GatewayTargetFailedToRespond)]
    public void Exception_answers_are_typed_and_keep_the_link(ModbusExceptionCode code)
    {
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, (byte)(req[7] | 0x80), (byte)code)));
        using var client = Client(server.Port);
        ModbusResult r = client.WriteMultipleRegisters(1, 5, [1, 2, 3]);
        Assert.Equal(new ModbusResult(ModbusStatus.Exception, code), r);
        Assert.False(r.IsLinkFailure);
        Assert.True(client.IsConnected);
        Assert.Equal(1, client.Counters.Exceptions);
    }

    [Fact]
    public void Wrong_unit_function_byte_count_or_echo_are_malformed()
    {
        int n = 0;
        using var server = new ScriptedServer(req => (n++ % 4) switch
        {
            0 => new(ScriptedServer.Frame(BinaryPrimitives.ReadUInt16BigEndian(req), (byte)(req[6] + 1), TwoRegisters)),
            1 => new(ScriptedServer.Answer(req, 4, 4, 0, 0, 0, 0)),
            2 => new(ScriptedServer.Answer(req, 3, 2, 0, 0)),
            _ => new(ScriptedServer.Answer(req, 6, 0, 99, 0, 7)),
        });
        using var client = Client(server.Port);
        Assert.Equal(ModbusStatus.MalformedResponse, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.Equal(ModbusStatus.MalformedResponse, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.Equal(ModbusStatus.MalformedResponse, client.ReadHoldingRegisters(1, 10, new ushort[2]).Status);
        Assert.Equal(ModbusStatus.MalformedResponse, client.WriteSingleRegister(1, 98, 7).Status);
        Assert.Equal(4, server.Connections); // each malformed answer resets the link
    }

    [Fact]
    public void Invalid_requests_are_refused_without_sending()
    {
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, TwoRegisters)));
        using var client = Client(server.Port);
        Assert.Equal(ModbusStatus.InvalidRequest, client.ReadHoldingRegisters(1, 0, new ushort[126]).Status);
        Assert.Equal(ModbusStatus.InvalidRequest, client.ReadHoldingRegisters(1, 65535, new ushort[2]).Status);
        Assert.Equal(ModbusStatus.InvalidRequest, client.WriteMultipleRegisters(1, 0, new ushort[124]).Status);
        Assert.Equal(ModbusStatus.InvalidRequest, client.WriteMultipleRegisters(1, 0, []).Status);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public void Within_the_backoff_no_connect_is_attempted()
    {
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = FreePort.Pick(), ReconnectInitialMs = 5000, ReconnectMaxMs = 10_000 });
        Assert.Equal(ModbusStatus.NotConnected, client.ReadHoldingRegisters(1, 0, new ushort[1]).Status);
        Assert.Equal(ModbusStatus.NotConnected, client.ReadHoldingRegisters(1, 0, new ushort[1]).Status);
        Assert.Equal(1, client.Counters.ConnectFailures);
    }

    [Fact]
    public void Reconnect_retries_and_recovers_when_the_peer_appears()
    {
        int port = FreePort.Pick();
        using var client = Client(port);
        Wait.For(() => client.ReadHoldingRegisters(1, 0, new ushort[1]).Status == ModbusStatus.NotConnected && client.Counters.ConnectFailures >= 3,
            TimeSpan.FromSeconds(10), () => "no retries");
        using var server = new Server.ModbusTcpServer(new Server.ModbusRegisterBank(), System.Net.IPAddress.Loopback, port);
        Wait.For(() => client.ReadHoldingRegisters(1, 0, new ushort[1]).IsOk, TimeSpan.FromSeconds(10), () => "no recovery");
        Assert.Equal(1, client.Counters.Connects);
    }

    [Fact]
    public void The_minimum_gap_separates_transactions()
    {
        using var server = new ScriptedServer(req => new(ScriptedServer.Answer(req, 6, req[8], req[9], req[10], req[11])));
        using var client = Client(server.Port, minGapMs: 20);
        Assert.True(client.WriteSingleRegister(1, 1, 1).IsOk);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(client.WriteSingleRegister(1, 1, (ushort)i).IsOk);
        }

        Assert.True(sw.ElapsedMilliseconds >= 5 * 20 - 2, $"{sw.ElapsedMilliseconds} ms for 5 gaps of 20 ms");
    }

    [Fact]
    public void Transaction_ids_increase_per_request()
    {
        var seen = new List<ushort>();
        using var server = new ScriptedServer(req =>
        {
            lock (seen)
            {
                seen.Add(BinaryPrimitives.ReadUInt16BigEndian(req));
            }

            return new(ScriptedServer.Answer(req, 4, 4, 0, 1, 0, 2));
        });
        using var client = Client(server.Port);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(client.ReadInputRegisters(1, 0, new ushort[2]).IsOk);
        }

        Assert.Equal([1, 2, 3], seen);
    }
}
