using System.Runtime.CompilerServices;
using Edge.Devices.Gpio;
using Edge.Devices.Native;

namespace Edge.Devices.Tests;

/// <summary>
/// The ioctl structures must match the kernel's layout byte for byte. Expected values are the kernel's (computed by
/// hand from include/uapi/linux/i2c.h, i2c-dev.h and gpio.h with C alignment rules, written in GpioNative/I2cNative),
/// not values read back from the code under test.
/// </summary>
public class NativeLayoutTests
{
    private static int Offset<TStruct, TField>(ref TStruct s, ref TField field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref s), ref Unsafe.As<TField, byte>(ref field));

    [Fact]
    public void I2cMsgMatchesTheKernelLayout()
    {
        Assert.True(IntPtr.Size == 8, "These layout assertions are for 64-bit (arm64/x86-64); 32-bit arm: i2c_msg = 12 bytes, buf@8; i2c_rdwr_ioctl_data = 8 bytes, nmsgs@4.");
        var msg = default(I2cNative.I2cMsg);
        Assert.Equal(16, Unsafe.SizeOf<I2cNative.I2cMsg>());
        Assert.Equal(0, Offset(ref msg, ref msg.Addr));
        Assert.Equal(2, Offset(ref msg, ref msg.Flags));
        Assert.Equal(4, Offset(ref msg, ref msg.Len));
        unsafe
        {
            Assert.Equal(8, (int)((byte*)&msg.Buf - (byte*)&msg));
        }

        var data = default(I2cNative.I2cRdwrIoctlData);
        Assert.Equal(16, Unsafe.SizeOf<I2cNative.I2cRdwrIoctlData>());
        Assert.Equal(8, Offset(ref data, ref data.NMsgs));
    }

    [Fact]
    public void I2cConstantsAreTheKernels()
    {
        Assert.Equal(0x0703u, I2cNative.I2cSlave);
        Assert.Equal(0x0705u, I2cNative.I2cFuncs);
        Assert.Equal(0x0707u, I2cNative.I2cRdwr);
        Assert.Equal((ushort)0x0001, I2cNative.I2cMRd);
        Assert.Equal(1u, I2cNative.I2cFuncI2c);
    }

    [Fact]
    public void GpioV2StructsMatchTheKernelSizes()
    {
        Assert.Equal(68, Unsafe.SizeOf<GpioNative.GpioChipInfo>());
        Assert.Equal(16, Unsafe.SizeOf<GpioNative.LineValues>());
        Assert.Equal(16, Unsafe.SizeOf<GpioNative.LineAttribute>());
        Assert.Equal(24, Unsafe.SizeOf<GpioNative.LineConfigAttribute>());
        Assert.Equal(272, Unsafe.SizeOf<GpioNative.LineConfig>());
        Assert.Equal(592, Unsafe.SizeOf<GpioNative.LineRequest>());
        Assert.Equal(48, Unsafe.SizeOf<GpioNative.LineEvent>());
    }

    [Fact]
    public unsafe void GpioV2LineRequestFieldOffsetsMatchTheKernel()
    {
        GpioNative.LineRequest r = default;
        byte* b = (byte*)&r;
        Assert.Equal(0, (int)((byte*)r.Offsets - b));
        Assert.Equal(256, (int)((byte*)r.Consumer - b));
        Assert.Equal(288, (int)((byte*)&r.Config - b));
        Assert.Equal(560, (int)((byte*)&r.NumLines - b));
        Assert.Equal(564, (int)((byte*)&r.EventBufferSize - b));
        Assert.Equal(568, (int)((byte*)r.Padding - b));
        Assert.Equal(588, (int)((byte*)&r.Fd - b));

        GpioNative.LineConfig c = default;
        byte* cb = (byte*)&c;
        Assert.Equal(8, (int)((byte*)&c.NumAttrs - cb));
        Assert.Equal(12, (int)((byte*)c.Padding - cb));
        Assert.Equal(32, (int)((byte*)&c.Attrs - cb));

        GpioNative.LineAttribute a = default;
        byte* ab = (byte*)&a;
        Assert.Equal(4, (int)((byte*)&a.Padding - ab));
        Assert.Equal(8, (int)((byte*)&a.FlagsOrValues - ab));
        Assert.Equal(8, (int)((byte*)&a.DebouncePeriodUs - ab));

        GpioNative.LineEvent e = default;
        byte* eb = (byte*)&e;
        Assert.Equal(8, (int)((byte*)&e.Id - eb));
        Assert.Equal(12, (int)((byte*)&e.Offset - eb));
        Assert.Equal(16, (int)((byte*)&e.Seqno - eb));
        Assert.Equal(20, (int)((byte*)&e.LineSeqno - eb));
        Assert.Equal(24, (int)((byte*)e.Padding - eb));
    }

    [Fact]
    public void GpioIoctlNumbersAreTheKernels()
    {
        // _IOWR(0xB4, nr, size) = 3 << 30 | size << 16 | 0xB4 << 8 | nr; _IOR = 2 << 30 | ...
        Assert.Equal(0x8044B401u, GpioNative.GetChipInfoIoctl);
        Assert.Equal(0xC250B407u, GpioNative.GetLineIoctl);
        Assert.Equal(0xC110B40Du, GpioNative.LineSetConfigIoctl);
        Assert.Equal(0xC010B40Eu, GpioNative.LineGetValuesIoctl);
        Assert.Equal(0xC010B40Fu, GpioNative.LineSetValuesIoctl);
    }

    [Fact]
    public unsafe void EmergencyStopRequestCarriesFlagsAndDebounce()
    {
        var settings = new GpioLineSettings(17, GpioDirection.Input)
        {
            ActiveLow = true,
            Bias = GpioBias.PullUp,
            Edges = GpioEdgeDetection.Both,
            DebounceUs = 5000,
            Consumer = "edge:estop",
        };
        GpioNative.LineRequest r = LinuxGpioChip.BuildRequest(settings);
        Assert.Equal(17u, r.Offsets[0]);
        Assert.Equal(1u, r.NumLines);
        // INPUT (1<<2) | ACTIVE_LOW (1<<1) | EDGE_RISING (1<<4) | EDGE_FALLING (1<<5) | BIAS_PULL_UP (1<<8)
        Assert.Equal(0x136UL, r.Config.Flags);
        Assert.Equal(1u, r.Config.NumAttrs);
        Assert.Equal(3u, r.Config.Attrs[0].Attr.Id); // GPIO_V2_LINE_ATTR_ID_DEBOUNCE
        Assert.Equal(5000u, r.Config.Attrs[0].Attr.DebouncePeriodUs);
        Assert.Equal(1UL, r.Config.Attrs[0].Mask);
        Assert.Equal("edge:estop", new string((sbyte*)r.Consumer));
    }

    [Fact]
    public void RelayRequestSetsTheInitialValueWithTheRequest()
    {
        var settings = new GpioLineSettings(27, GpioDirection.Output) { InitialActive = true };
        GpioNative.LineRequest r = LinuxGpioChip.BuildRequest(settings);
        Assert.Equal(1UL << 3, r.Config.Flags); // OUTPUT
        Assert.Equal(1u, r.Config.NumAttrs);
        Assert.Equal(2u, r.Config.Attrs[0].Attr.Id); // GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES
        Assert.Equal(1UL, r.Config.Attrs[0].Attr.FlagsOrValues);
        Assert.Equal(1UL, r.Config.Attrs[0].Mask);
    }
}
