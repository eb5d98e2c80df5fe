using System.Runtime.InteropServices;

namespace Edge.Runtime.Handoff;

/// <summary>
/// A 64-bit value alone on its own 128-byte span (two cache lines, covering adjacent-line prefetch), so that the
/// producer's and the consumer's indices never share a cache line (no false sharing).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
