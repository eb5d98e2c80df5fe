using Edge.Modbus.Registers;

namespace Edge.Modbus.Tests;

public sealed class RegisterCodecTests
{
    [Theory]
    [InlineData(RegisterType.Int16, -1234.0, new ushort[] { 0xFB2E })]
    [InlineData(RegisterType.UInt16, 65000.0, new ushort[] { 65000 })]
    [InlineData(RegisterType.Int32, -100000.0, new ushort[] { 0xFFFE, 0x7960 })]
    [InlineData(RegisterType.UInt32, 3000000000.0, new ushort[] { 0xB2D0, 0x5E00 })]
    [InlineData(RegisterType.Float32, 1.5, new ushort[] { 0x3FC0, 0x0000 })]
    [InlineData(RegisterType.Int64, -2.0, new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE })]
    [InlineData(RegisterType.UInt64, 4294967296.0, new ushort[] { 0, 1, 0, 0 })]
    public void Encodes_and_decodes_high_word_first(RegisterType type, double value, ushort[] registers)
    {
        Assert.Equal(value, RegisterCodec.Decode(registers, type));
        ushort[] encoded = new ushort[registers.Length];
        RegisterCodec.Encode(encoded, type, value);
        Assert.Equal(registers, encoded);
        Assert.Equal(registers.Length, RegisterCodec.SizeOf(type));
    }

    [Fact]
    public void Low_word_first_swaps_words_not_bytes()
    {
        ushort[] cdab = [0x0000, 0x3FC0];
        Assert.Equal(1.5, RegisterCodec.Decode(cdab, RegisterType.Float32, WordOrder.LowWordFirst));
        ushort[] encoded = new ushort[2];
        RegisterCodec.Encode(encoded, RegisterType.Int32, -100000, WordOrder.LowWordFirst);
        Assert.Equal([0x7960, 0xFFFE], encoded);
    }

    [Fact]
    public void Integers_saturate_and_not_implemented_markers_are_recognised()
    {
        ushort[] r = new ushort[2];
        RegisterCodec.Encode(r, RegisterType.Int16, 1e9);
        Assert.Equal(short.MaxValue, (short)r[0]);
        Assert.True(RegisterCodec.IsNotImplemented([0x8000], RegisterType.Int16));
        Assert.True(RegisterCodec.IsNotImplemented([0xFFFF], RegisterType.UInt16));
        Assert.True(RegisterCodec.IsNotImplemented([0x8000, 0], RegisterType.Int32));
        Assert.True(RegisterCodec.IsNotImplemented([0x7FC0, 0], RegisterType.Float32));
        Assert.False(RegisterCodec.IsNotImplemented([0, 0], RegisterType.Int32));
    }

    [Fact]
    public void Strings_are_two_ascii_characters_per_register()
    {
        ushort[] r = new ushort[4];
        RegisterCodec.WriteString(r, "SunS!");
        Assert.Equal([0x5375, 0x6E53, 0x2100, 0], r);
        Assert.Equal("SunS!", RegisterCodec.ReadString(r));
    }
}
