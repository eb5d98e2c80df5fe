using System.Diagnostics;
using Edge.Core.Devices;
using Edge.Devices.Rig;
using Edge.Simulation.Sensors;
using Edge.Tests.Shared;
using Xunit.Abstractions;
using Edge.Core.Timing;

namespace Edge.Devices.Tests;

/// <summary>
/// A quick measurement (the BenchmarkDotNet version is tests/Edge.Benchmarks/SamplingBenchmarks.cs): register reads per
/// second through the whole stack — ShuntPowerSensor → Ina226Driver → II2cDevice → simulated bus → register-level
/// INA226 — and bytes allocated per read. Only the allocation is asserted; speed is reported, not judged.
/// </summary>
public class SamplingThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public void ReportsReadsPerSecondAndBytesPerRead()
    {
        RigDefinition rig = RigLoader.Load(Repo.Rig("sim-8x-ina226.json"));
        var clock = new VirtualClock();
        using var backend = new SimulatedRigBackend(rig, new SquareProfile(1000, 3400, 2), clock.Read);
        using RigDevices devices = RigAssembler.Build(rig, backend);
        Assert.Empty(devices.InitializeAll());
        var snapshot = new RackSnapshot(8, 0);

        void Period()
        {
            clock.Advance(1_000_000);
            backend.AdvanceTo(clock.NowNs);
            devices.SampleAll(clock.NowNs);
            devices.FillSnapshot(snapshot, clock.NowNs);
        }

        for (int i = 0; i < 2000; i++)
        {
            Period();
        }

        const int Periods = 20_000;
        const int Passes = 3; // bytes: the least of the passes (SteadyAllocations); reads and time: all of them
        long transfers0 = backend.Buses.Sum(b => b.TransferCount);
        var watch = new Stopwatch();
        Action pass = () =>
        {
            for (int i = 0; i < Periods; i++)
            {
                Period();
            }
        };
        watch.Start();
        long bytes = SteadyAllocations.PerPassMinimum(pass, Passes);
        watch.Stop();
        long reads = backend.Buses.Sum(b => b.TransferCount) - transfers0;
        double readsPerSecond = reads / watch.Elapsed.TotalSeconds;
        output.WriteLine($"{reads} register reads in {watch.Elapsed.TotalMilliseconds:0} ms: {readsPerSecond:0} reads/s, " +
                         $"{watch.Elapsed.TotalMilliseconds * 1000 / (Passes * Periods):0.00} µs per 8-sensor period, {(double)bytes * Passes / reads:0.000} bytes/read");
        // Every period: conversion-ready + POWER of each of the 8 sensors; every 100th (slowReadEvery): CURRENT + BUS as well.
        Assert.Equal(Passes * ((16L * Periods) + (8L * 2 * Periods / 100)), reads);
        Assert.Equal(0, bytes);
    }
}
