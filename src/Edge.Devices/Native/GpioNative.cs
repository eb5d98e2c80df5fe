using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Edge.Devices.Native;

// Transcribed (not copied) from the kernel's GPIO character-device ABI v2, include/uapi/linux/gpio.h:
//   GPIO_MAX_NAME_SIZE 32, GPIO_V2_LINES_MAX 64, GPIO_V2_LINE_NUM_ATTRS_MAX 10.
//   enum gpio_v2_line_flag: USED 1<<0, ACTIVE_LOW 1<<1, INPUT 1<<2, OUTPUT 1<<3, EDGE_RISING 1<<4, EDGE_FALLING 1<<5,
//     OPEN_DRAIN 1<<6, OPEN_SOURCE 1<<7, BIAS_PULL_UP 1<<8, BIAS_PULL_DOWN 1<<9, BIAS_DISABLED 1<<10.
//   enum gpio_v2_line_attr_id: FLAGS 1, OUTPUT_VALUES 2, DEBOUNCE 3.
//   enum gpio_v2_line_event_id: RISING_EDGE 1 (inactive→active), FALLING_EDGE 2 (active→inactive).
//   struct gpiochip_info { char name[32]; char label[32]; __u32 lines; }                              = 68 bytes
//   struct gpio_v2_line_values { __aligned_u64 bits; __aligned_u64 mask; }                           = 16 bytes
//   struct gpio_v2_line_attribute { __u32 id; __u32 padding;
//                                   union { __aligned_u64 flags; __aligned_u64 values; __u32 debounce_period_us; }; }
//                                                                                                     = 16 bytes
//   struct gpio_v2_line_config_attribute { struct gpio_v2_line_attribute attr; __aligned_u64 mask; } = 24 bytes
//   struct gpio_v2_line_config { __aligned_u64 flags; __u32 num_attrs; __u32 padding[5];
//                                struct gpio_v2_line_config_attribute attrs[10]; }                   = 272 bytes
//   struct gpio_v2_line_request { __u32 offsets[64]; char consumer[32]; struct gpio_v2_line_config config;
//                                 __u32 num_lines; __u32 event_buffer_size; __u32 padding[5]; __s32 fd; } = 592 bytes
//     offsets: offsets@0, consumer@256, config@288, num_lines@560, event_buffer_size@564, padding@568, fd@588.
//   struct gpio_v2_line_event { __aligned_u64 timestamp_ns; __u32 id; __u32 offset; __u32 seqno; __u32 line_seqno;
//                               __u32 padding[6]; }                                                   = 48 bytes
//     timestamp_ns is CLOCK_MONOTONIC (unless the realtime/HTE clock flags of newer kernels are requested; Edge never does).
//   ioctls (type 0xB4): GPIO_GET_CHIPINFO_IOCTL _IOR(0xB4, 0x01, gpiochip_info)          = 0x8044B401
//                       GPIO_V2_GET_LINE_IOCTL _IOWR(0xB4, 0x07, gpio_v2_line_request)   = 0xC250B407
//                       GPIO_V2_LINE_SET_CONFIG_IOCTL _IOWR(0xB4, 0x0D, gpio_v2_line_config) = 0xC110B40D
//                       GPIO_V2_LINE_GET_VALUES_IOCTL _IOWR(0xB4, 0x0E, gpio_v2_line_values) = 0xC010B40E
//                       GPIO_V2_LINE_SET_VALUES_IOCTL _IOWR(0xB4, 0x0F, gpio_v2_line_values) = 0xC010B40F
// The v2 structs use __aligned_u64 and explicit padding precisely so that 32- and 64-bit layouts are identical.

/// <summary>Constants and structures of the Linux GPIO character device, uAPI v2.</summary>
internal static class GpioNative
{
    internal const int MaxNameSize = 32;
    internal const int LinesMax = 64;
    internal const int NumAttrsMax = 10;

    internal const ulong FlagUsed = 1UL << 0;
    internal const ulong FlagActiveLow = 1UL << 1;
    internal const ulong FlagInput = 1UL << 2;
    internal const ulong FlagOutput = 1UL << 3;
    internal const ulong FlagEdgeRising = 1UL << 4;
    internal const ulong FlagEdgeFalling = 1UL << 5;
    internal const ulong FlagOpenDrain = 1UL << 6;
    internal const ulong FlagOpenSource = 1UL << 7;
    internal const ulong FlagBiasPullUp = 1UL << 8;
    internal const ulong FlagBiasPullDown = 1UL << 9;
    internal const ulong FlagBiasDisabled = 1UL << 10;

    internal const uint AttrIdFlags = 1;
    internal const uint AttrIdOutputValues = 2;
    internal const uint AttrIdDebounce = 3;

    internal const uint EventRisingEdge = 1;
    internal const uint EventFallingEdge = 2;

    private const uint IoctlType = 0xB4;

    internal static readonly uint GetChipInfoIoctl = Ioctl.Read(IoctlType, 0x01, (uint)Unsafe.SizeOf<GpioChipInfo>());
    internal static readonly uint GetLineIoctl = Ioctl.ReadWrite(IoctlType, 0x07, (uint)Unsafe.SizeOf<LineRequest>());
    internal static readonly uint LineSetConfigIoctl = Ioctl.ReadWrite(IoctlType, 0x0D, (uint)Unsafe.SizeOf<LineConfig>());
    internal static readonly uint LineGetValuesIoctl = Ioctl.ReadWrite(IoctlType, 0x0E, (uint)Unsafe.SizeOf<LineValues>());
    internal static readonly uint LineSetValuesIoctl = Ioctl.ReadWrite(IoctlType, 0x0F, (uint)Unsafe.SizeOf<LineValues>());

    /// <summary>struct gpiochip_info.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct GpioChipInfo
    {
        public fixed byte Name[MaxNameSize];
        public fixed byte Label[MaxNameSize];
        public uint Lines;
    }

    /// <summary>struct gpio_v2_line_values.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LineValues
    {
        public ulong Bits;
        public ulong Mask;
    }

    /// <summary>struct gpio_v2_line_attribute (the union is modelled with explicit offsets).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct LineAttribute
    {
        [FieldOffset(0)] public uint Id;
        [FieldOffset(4)] public uint Padding;
        [FieldOffset(8)] public ulong FlagsOrValues;
        [FieldOffset(8)] public uint DebouncePeriodUs;
    }

    /// <summary>struct gpio_v2_line_config_attribute.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LineConfigAttribute
    {
        public LineAttribute Attr;
        public ulong Mask;
    }

    /// <summary>Ten <see cref="LineConfigAttribute"/>s in a row (attrs[GPIO_V2_LINE_NUM_ATTRS_MAX]).</summary>
    [InlineArray(NumAttrsMax)]
    internal struct LineConfigAttributes
    {
        private LineConfigAttribute _first;
    }

    /// <summary>struct gpio_v2_line_config.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct LineConfig
    {
        public ulong Flags;
        public uint NumAttrs;
        public fixed uint Padding[5];
        public LineConfigAttributes Attrs;
    }

    /// <summary>struct gpio_v2_line_request.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct LineRequest
    {
        public fixed uint Offsets[LinesMax];
        public fixed byte Consumer[MaxNameSize];
        public LineConfig Config;
        public uint NumLines;
        public uint EventBufferSize;
        public fixed uint Padding[5];
        public int Fd;
    }

    /// <summary>struct gpio_v2_line_event.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct LineEvent
    {
        public ulong TimestampNs;
        public uint Id;
        public uint Offset;
        public uint Seqno;
        public uint LineSeqno;
        public fixed uint Padding[6];
    }
}
