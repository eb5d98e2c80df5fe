using System.Net;
using Edge.Modbus.Client;
using Edge.Modbus.Server;
using Edge.Modbus.SunSpec;

namespace Edge.Modbus.Tests;

/// <summary>Discovery at each base address, chain walking and scale factors, against hand-built register maps.</summary>
public sealed class SunSpecDiscoveryTests
{
    [Theory]
    [InlineData(40000)]
    [InlineData(0)]
    [InlineData(50000)]
    public void Finds_SunS_at_each_base_address_and_walks_to_the_end_marker(int baseAddress)
    {
        var bank = new ModbusRegisterBank();
        ushort b = (ushort)baseAddress;
        bank.SetHolding(b, [0x5375, 0x6E53, 1, 66]);
        ushort next = (ushort)(b + 2 + 2 + 66);
        bank.SetHolding(next, [713, 7]);
        ushort unknown = (ushort)(next + 2 + 7);
        bank.SetHolding(unknown, [64_001, 3]);
        bank.SetHolding((ushort)(unknown + 5), [0xFFFF, 0]);
        if (baseAddress != 40000)
        {
            bank.SetHolding(40000, [0, 0]); // no marker where discovery looks first
        }

        using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0);
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = server.Port });
        Assert.True(SunSpecDiscovery.TryDiscover(client, 1, out SunSpecMap? map, out string error), error);
        Assert.Equal(b, map!.BaseAddress);
        Assert.Equal([1, 713, 64_001], map.Models.Select(m => m.Id));
        Assert.Equal((ushort)(b + 2), map.Models[0].StartAddress);
        Assert.Equal(next, map.Find(713)!.StartAddress);
        Assert.NotNull(map.Find(713)!.Definition);
        Assert.Null(map.Find(64_001)!.Definition); // a vendor model Edge does not know is listed, not decoded
    }

    [Fact]
    public void A_device_without_marker_is_not_SunSpec()
    {
        using var server = new ModbusTcpServer(new ModbusRegisterBank(), IPAddress.Loopback, 0);
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = server.Port });
        Assert.False(SunSpecDiscovery.TryDiscover(client, 1, out _, out string error));
        Assert.Contains("no \"SunS\" marker", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_factors_apply_and_not_implemented_values_are_not_read()
    {
        SunSpecModelDefinition d = SunSpecModels.Get(713);
        var block = new SunSpecBlock(new SunSpecModelInstance(713, 100, d.Length, d));
        ushort[] regs = new ushort[d.TotalRegisters];
        regs[d["WHRtg"].Offset] = 1234;
        regs[d["WH_SF"].Offset] = 1;                 // ×10
        regs[d["SoC"].Offset] = 5678;
        regs[d["Pct_SF"].Offset] = unchecked((ushort)-2); // ×0.01
        regs[d["SoH"].Offset] = 0xFFFF;              // uint16 not implemented
        regs[d["WHAvail"].Offset] = 10;
        block.Load(0, regs);
        Assert.True(block.TryRead("WHRtg", out double wh));
        Assert.Equal(12_340, wh, 6);
        Assert.True(block.TryRead("SoC", out double soc));
        Assert.Equal(56.78, soc, 6);
        Assert.False(block.TryRead("SoH", out _));

        regs[d["WH_SF"].Offset] = 0x8000;            // scale factor not implemented: scaled points are unusable
        block.Load(0, regs);
        Assert.False(block.TryRead("WHAvail", out double avail));
        Assert.True(double.IsNaN(avail));
    }
}
