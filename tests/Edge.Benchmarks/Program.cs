using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>modbus-latency</c> runs the Modbus setpoint latency comparison (a plain timed loop against real
/// peers); anything else goes to BenchmarkDotNet's switcher (e.g. <c>--filter *</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "modbus-latency")
        {
            return Modbus.ModbusLatencyBench.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "dotnet-iot")
        {
            return DotnetIot.DotnetIotBench.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
