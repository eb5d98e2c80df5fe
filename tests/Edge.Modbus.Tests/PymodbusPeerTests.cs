using Edge.Modbus.Client;
using Edge.Modbus.Registers;
using Xunit.Abstractions;

namespace Edge.Modbus.Tests;

/// <summary>Our client against a pymodbus server (third-party Modbus stack), on a loopback port the test picks.</summary>
public sealed class PymodbusPeerTests(ITestOutputHelper output)
{
    internal static Peer.Server StartPymodbus(int port) =>
        new(Peer.Python, [Peer.Script("pymodbus_server.py"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)], "ready", TimeSpan.FromSeconds(30));

    [Fact]
    public void Reads_and_writes_every_function_code_against_pymodbus()
    {
        if (!Peer.HasPymodbus(output))
        {
            return;
        }

        int port = FreePort.Pick();
        using Peer.Server server = StartPymodbus(port);
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = port, RequestTimeoutMs = 2000 });

        ushort[] regs = new ushort[5];
        Assert.Equal(ModbusResult.Ok, client.ReadHoldingRegisters(1, 100, regs));
        Assert.Equal([100, 101, 102, 103, 104], regs);

        Assert.Equal(ModbusResult.Ok, client.ReadInputRegisters(1, 7, regs.AsSpan(0, 2)));
        Assert.Equal([10007, 10008], regs[..2]);

        Assert.Equal(ModbusResult.Ok, client.WriteSingleRegister(1, 200, 0xBEEF));
        Assert.Equal(ModbusResult.Ok, client.ReadHoldingRegisters(1, 200, regs.AsSpan(0, 1)));
        Assert.Equal(0xBEEF, regs[0]);

        ushort[] setpoint = new ushort[2];
        RegisterCodec.WriteInt32(setpoint, -123_456);
        Assert.Equal(ModbusResult.Ok, client.WriteMultipleRegisters(1, 300, setpoint));
        Assert.Equal(ModbusResult.Ok, client.ReadHoldingRegisters(1, 300, regs.AsSpan(0, 2)));
        Assert.Equal(-123_456, RegisterCodec.ReadInt32(regs));

        // FC 23: write 2 registers at 400, read 3 from 399 in the same transaction; the write happens first.
        Assert.Equal(ModbusResult.Ok, client.ReadWriteMultipleRegisters(1, 399, regs.AsSpan(0, 3), 400, [7, 8]));
        Assert.Equal([399, 7, 8], regs[..3]);

        // Beyond pymodbus' 10,000 registers: a typed exception, and the link stays up.
        ModbusResult outside = client.ReadHoldingRegisters(1, 20_000, regs.AsSpan(0, 1));
        Assert.Equal(ModbusStatus.Exception, outside.Status);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, outside.ExceptionCode);
        Assert.Equal(ModbusResult.Ok, client.ReadHoldingRegisters(1, 0, regs.AsSpan(0, 1)));
        Assert.Equal(1, client.Counters.Connects);
    }

    [Fact]
    public void A_peer_restart_is_survived_by_reconnecting()
    {
        if (!Peer.HasPymodbus(output))
        {
            return;
        }

        int port = FreePort.Pick();
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = port, RequestTimeoutMs = 2000, ReconnectInitialMs = 20, ReconnectMaxMs = 100 });
        ushort[] one = new ushort[1];
        using (StartPymodbus(port))
        {
            Assert.True(client.ReadHoldingRegisters(1, 5, one).IsOk);
        }

        Assert.True(client.ReadHoldingRegisters(1, 5, one).IsLinkFailure);
        using (StartPymodbus(port))
        {
            Wait.For(() => client.ReadHoldingRegisters(1, 6, one).IsOk, TimeSpan.FromSeconds(10), () => "no reconnect");
            Assert.Equal(6, one[0]);
        }

        Assert.True(client.Counters.Connects >= 2);
    }
}
