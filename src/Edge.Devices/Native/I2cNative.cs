using System.Runtime.InteropServices;

namespace Edge.Devices.Native;

// Transcribed (not copied) from the kernel's userspace ABI:
//   include/uapi/linux/i2c-dev.h — ioctl numbers for /dev/i2c-N:
//     I2C_RETRIES 0x0701, I2C_TIMEOUT 0x0702 (units of 10 ms), I2C_SLAVE 0x0703, I2C_TENBIT 0x0704, I2C_FUNCS 0x0705,
//     I2C_SLAVE_FORCE 0x0706, I2C_RDWR 0x0707 (combined transfer, one STOP only), I2C_PEC 0x0708, I2C_SMBUS 0x0720.
//     struct i2c_rdwr_ioctl_data { struct i2c_msg __user *msgs; __u32 nmsgs; };  I2C_RDWR_IOCTL_MAX_MSGS 42.
//   include/uapi/linux/i2c.h — struct i2c_msg { __u16 addr; __u16 flags; __u16 len; __u8 *buf; };
//     flags: I2C_M_RD 0x0001 (guaranteed), I2C_M_TEN 0x0010, I2C_M_RECV_LEN 0x0400, I2C_M_NO_RD_ACK 0x0800,
//            I2C_M_IGNORE_NAK 0x1000, I2C_M_REV_DIR_ADDR 0x2000, I2C_M_NOSTART 0x4000, I2C_M_STOP 0x8000.
//     functionality bits: I2C_FUNC_I2C 0x00000001 (plain I2C transfers, i.e. I2C_RDWR), I2C_FUNC_10BIT_ADDR 0x2, ...
// Layouts (C alignment rules): i2c_msg = addr@0, flags@2, len@4, buf@8 → 16 bytes on 64-bit; buf@8 → 12 bytes on
// 32-bit arm. i2c_rdwr_ioctl_data = msgs@0, nmsgs@8 → 16 bytes on 64-bit; nmsgs@4 → 8 bytes on 32-bit.
// LayoutKind.Sequential reproduces exactly these (asserted in Edge.Devices.Tests).

/// <summary>ioctl numbers and flags of the Linux i2c-dev interface.</summary>
internal static class I2cNative
{
    internal const uint I2cSlave = 0x0703;
    internal const uint I2cFuncs = 0x0705;
    internal const uint I2cRdwr = 0x0707;
    internal const uint I2cTimeout = 0x0702;
    internal const uint I2cRetries = 0x0701;

    internal const ushort I2cMRd = 0x0001;
    internal const uint I2cFuncI2c = 0x00000001;
    internal const int I2cRdwrIoctlMaxMsgs = 42;

    /// <summary>struct i2c_msg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct I2cMsg
    {
        public ushort Addr;
        public ushort Flags;
        public ushort Len;
        public byte* Buf;
    }

    /// <summary>struct i2c_rdwr_ioctl_data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct I2cRdwrIoctlData
    {
        public I2cMsg* Msgs;
        public uint NMsgs;
    }
}
