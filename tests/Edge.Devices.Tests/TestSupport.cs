using Edge.Devices.I2c;
using Edge.Simulation.Ina;
using Edge.Simulation.Profiles;
using Edge.Tests.Shared;

namespace Edge.Devices.Tests;

/// <summary>A device that serves fixed register contents (datasheet values), independent of the simulators.</summary>
internal sealed class FixedRegisterTarget : II2cTarget
{
    private readonly Dictionary<byte, byte[]> _registers = [];
    private byte _pointer;

    public List<(byte Register, ushort Value)> Writes { get; } = [];

    public int Reads { get; private set; }

    public FixedRegisterTarget Set(byte register, params byte[] bytes)
    {
        _registers[register] = bytes;
        return this;
    }

    public FixedRegisterTarget Set16(byte register, ushort value) => Set(register, (byte)(value >> 8), (byte)value);

    public FixedRegisterTarget Set24(byte register, uint value) => Set(register, (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    public FixedRegisterTarget Set40(byte register, ulong value) =>
        Set(register, (byte)(value >> 32), (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        _pointer = data[0];
        if (data.Length >= 3)
        {
            ushort value = (ushort)((data[1] << 8) | data[2]);
            Writes.Add((_pointer, value));
            _registers[_pointer] = [data[1], data[2]];
        }

        return I2cStatus.Ok;
    }

    public I2cStatus OnRead(Span<byte> data)
    {
        Reads++;
        byte[] register = _registers.TryGetValue(_pointer, out byte[]? r) ? r : [0, 0];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = register[i % register.Length];
        }

        return I2cStatus.Ok;
    }

    public void Advance(long nowNs)
    {
    }
}

/// <summary>A constant load.</summary>
internal sealed class ConstantProfile(double powerW) : ILoadProfile
{
    public double PowerW { get; set; } = powerW;

    public string Description => $"constant {PowerW} W";

    public double PeakW => PowerW;

    public double DurationS => 1;

    public double PowerAt(double timeS) => PowerW;
}

/// <summary>A square wave between two levels (a tiny stand-in for the AI-training profile).</summary>
internal sealed class SquareProfile(double lowW, double highW, double periodS) : ILoadProfile
{
    public string Description => $"square {lowW}–{highW} W, {periodS} s";

    public double PeakW => highW;

    public double DurationS => periodS;

    public double PowerAt(double timeS) => (timeS % periodS) < periodS / 2 ? highW : lowW;
}

internal static class Repo
{
    /// <summary>The repository root (the folder holding Edge.sln).</summary>
    public static string Root
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Rig(string name) => Path.Combine(Root, "hardware", "rigs", name);
}

internal static class Allocations
{
    /// <summary>Unmeasured runs of the action before the measured passes.</summary>
    public const int WarmUp = 200;

    /// <summary>Measured passes of <c>times</c> runs each (<see cref="SteadyAllocations.PerPassMinimum"/>).</summary>
    public const int Passes = 3;

    /// <summary>
    /// Bytes allocated on this thread by <paramref name="action"/> run <paramref name="times"/> times (after a warm-up):
    /// the least of <see cref="Passes"/> such passes, see <see cref="SteadyAllocations"/>.
    /// </summary>
    public static long Measure(Action action, int times = 1000)
    {
        for (int i = 0; i < WarmUp; i++)
        {
            action();
        }

        Action pass = () =>
        {
            for (int i = 0; i < times; i++)
            {
                action();
            }
        };
        return SteadyAllocations.PerPassMinimum(pass, Passes);
    }
}
