using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c> (or a class name).
/// Every benchmark class compares Edge against a peer measured in the same run (its Baseline = true method).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
