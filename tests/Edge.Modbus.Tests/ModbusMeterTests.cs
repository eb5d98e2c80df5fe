using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Client;
using Edge.Modbus.Meters;
using Edge.Modbus.Registers;
using Edge.Modbus.Server;

namespace Edge.Modbus.Tests;

/// <summary>Modbus meters decoded through JSON register maps.</summary>
public sealed class ModbusMeterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ushort[] Float(float value)
    {
        ushort[] r = new ushort[2];
        RegisterCodec.Encode(r, RegisterType.Float32, value);
        return r;
    }

    [Fact]
    public void The_SDM630_map_reads_power_voltage_and_current_as_the_manual_lays_them_out()
    {
        ModbusMeterMap map = ModbusMeterMap.LoadBuiltIn("eastron-sdm630");
        Assert.Equal(ModbusFunction.ReadInputRegisters, map.Function);
        Assert.Contains("30053", map.Source, StringComparison.Ordinal);

        var bank = new ModbusRegisterBank();
        bank.SetInput(0x0000, Float(231.5f));   // 30001 phase 1 L-N volts
        bank.SetInput(0x0006, Float(12.25f));   // 30007 phase 1 current
        bank.SetInput(0x0034, Float(-8421.5f)); // 30053 total system power (export)
        bank.SetHolding(0x0034, Float(99f));    // a holding register at the same address must not be read
        using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0);
        using var meter = new ModbusPowerMeter(new ModbusMeterOptions { Id = "site", Modbus = new ModbusClientOptions { Port = server.Port }, PollPeriodMs = 10 }, map);

        Wait.For(() => meter.TryRead(out PowerReading r) && r.IsUsable, Timeout, () => "no reading");
        Assert.True(meter.TryRead(out PowerReading reading));
        Assert.Equal(-8421.5, reading.PowerW);
        Assert.Equal(231.5, reading.BusVoltageV);
        Assert.Equal(12.25, reading.CurrentA);
        uint sequence = reading.Sequence;
        Wait.For(() => meter.TryRead(out PowerReading r) && r.Sequence > sequence + 2, Timeout, () => "sequence does not advance");
    }

    [Fact]
    public void Scale_word_order_sums_and_sign_come_from_the_map()
    {
        ModbusMeterMap map = ModbusMeterMap.LoadBuiltIn("generic-int32-scaled");
        ushort[] regs = new ushort[map.SpanRegisters];
        RegisterCodec.Encode(regs.AsSpan(100 - map.FirstAddress), RegisterType.Int32, -123_456, WordOrder.LowWordFirst);
        regs[110 - map.FirstAddress] = 2301;
        regs[120 - map.FirstAddress] = 1000;
        regs[121 - map.FirstAddress] = 1050;
        regs[122 - map.FirstAddress] = unchecked((ushort)-50);
        PowerReading r = ModbusPowerMeter.Decode(map, regs, 5, 7, invertSign: true, maxPlausibleW: 1e6);
        Assert.Equal(12_345.6, r.PowerW, 9);
        Assert.Equal(230.1, r.BusVoltageV, 9);
        Assert.Equal(20.0, r.CurrentA, 9);
        Assert.Equal(SensorHealth.Ok, r.Health);
        Assert.Equal(SensorHealth.OutOfRange, ModbusPowerMeter.Decode(map, regs, 5, 7, false, 1000).Health);
    }

    [Fact]
    public void A_meter_that_stops_answering_reports_BusError_and_keeps_the_last_value()
    {
        var bank = new ModbusRegisterBank();
        bank.SetInput(0x0034, Float(1000f));
        var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0);
        using var meter = new ModbusPowerMeter(
            new ModbusMeterOptions { Modbus = new ModbusClientOptions { Port = server.Port, RequestTimeoutMs = 100, ReconnectInitialMs = 20, ReconnectMaxMs = 50 }, PollPeriodMs = 10, StaleAfterMs = 300 },
            ModbusMeterMap.LoadBuiltIn("eastron-sdm630"));
        Wait.For(() => meter.TryRead(out PowerReading r) && r.IsUsable, Timeout, () => "no reading");
        server.Dispose();
        Wait.For(() => meter.TryRead(out PowerReading r) && r.Health == SensorHealth.BusError, Timeout, () => "no bus error");
        Assert.True(meter.TryRead(out PowerReading last));
        Assert.Equal(1000, last.PowerW); // the last good value is kept, flagged
    }

    [Fact]
    public void An_old_reading_is_Stale_on_the_injected_clock()
    {
        var bank = new ModbusRegisterBank();
        bank.SetInput(0x0034, Float(500f));
        using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0);
        long nowNs = 1_000_000_000;
        using var meter = new ModbusPowerMeter(
            new ModbusMeterOptions { Modbus = new ModbusClientOptions { Port = server.Port }, PollPeriodMs = 5000, StaleAfterMs = 5000 },
            ModbusMeterMap.LoadBuiltIn("eastron-sdm630"), () => Interlocked.Read(ref nowNs));
        Wait.For(() => meter.TryRead(out PowerReading r) && r.IsUsable, Timeout, () => "no reading");
        Interlocked.Add(ref nowNs, 4_999_000_000);
        Assert.True(meter.TryRead(out PowerReading fresh));
        Assert.Equal(SensorHealth.Ok, fresh.Health);
        Interlocked.Add(ref nowNs, 2_000_000);
        Assert.True(meter.TryRead(out PowerReading stale));
        Assert.Equal(SensorHealth.Stale, stale.Health);
        Assert.Equal(500, stale.PowerW);
    }

    [Fact]
    public void A_meter_that_never_answered_has_no_reading()
    {
        using var meter = new ModbusPowerMeter(new ModbusMeterOptions { Modbus = new ModbusClientOptions { Port = FreePort.Pick(), ReconnectInitialMs = 10 } },
            ModbusMeterMap.LoadBuiltIn("eastron-sdm630"));
        Wait.For(() => meter.LinkCounters.ConnectFailures > 0, Timeout, () => "no attempt");
        Assert.False(meter.TryRead(out PowerReading r));
        Assert.Equal(SensorHealth.Missing, r.Health);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"name\":\"x\"}", "\"power\" is missing")]
    [InlineData("{\"power\":{\"address\":1,\"type\":\"float\"}}", "power.type = float is invalid: must be one of int16")]
    [InlineData("{\"power\":{\"address\":70000,\"type\":\"int16\"}}", "power.address = 70000 is invalid")]
    [InlineData("{\"power\":[{\"address\":1,\"type\":\"int16\",\"scale\":0}]}", "power[0].scale = 0 is invalid")]
    [InlineData("{\"function\":\"coil\",\"power\":{\"address\":1,\"type\":\"int16\"}}", "function = coil is invalid")]
    [InlineData("{\"wordOrder\":\"middle\",\"power\":{\"address\":1,\"type\":\"int32\"}}", "wordOrder = middle is invalid")]
    [InlineData("{\"power\":{\"address\":0,\"type\":\"int16\"},\"current\":{\"address\":200,\"type\":\"int16\"}}", "at most 125")]
    public void Bad_maps_get_a_clear_error_naming_the_file_and_the_field(string json, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => ModbusMeterMap.Parse(json, "site.json"));
        Assert.StartsWith("meter map site.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
