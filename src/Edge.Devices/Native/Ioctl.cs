namespace Edge.Devices.Native;

/// <summary>
/// The kernel's ioctl request encoding (include/uapi/asm-generic/ioctl.h, used by x86-64, arm64 and arm):
/// bits 0–7 number, 8–15 type, 16–29 argument size, 30–31 direction (1 = write, 2 = read; _IOWR = 3).
/// </summary>
internal static class Ioctl
{
    private const int NrShift = 0;
    private const int TypeShift = 8;
    private const int SizeShift = 16;
    private const int DirShift = 30;
    private const uint DirWrite = 1;
    private const uint DirRead = 2;

    /// <summary>_IOC(dir, type, nr, size).</summary>
    internal static uint Encode(uint direction, uint type, uint number, uint size) =>
        (direction << DirShift) | (type << TypeShift) | (number << NrShift) | (size << SizeShift);

    /// <summary>_IOR(type, nr, size): the kernel writes the argument.</summary>
    internal static uint Read(uint type, uint number, uint size) => Encode(DirRead, type, number, size);

    /// <summary>_IOWR(type, nr, size): the argument goes both ways.</summary>
    internal static uint ReadWrite(uint type, uint number, uint size) => Encode(DirRead | DirWrite, type, number, size);
}
