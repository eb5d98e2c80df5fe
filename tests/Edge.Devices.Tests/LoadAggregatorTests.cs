using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Devices.Aggregation;

namespace Edge.Devices.Tests;

public class LoadAggregatorTests
{
    private static readonly RackTopology FourRacksTwoFeeds = new(
    [
        ("r1a", "r1", 1), ("r1b", "r1", 1), ("r2a", "r2", 1), ("r2b", "r2", 1),
        ("r3a", "r3", 1), ("r3b", "r3", 1), ("r4a", "r4", 1), ("r4b", "r4", 1),
    ]);

    private static PowerReading Ok(double w, uint seq = 1) => new(0, w, 12, w / 12, seq, SensorHealth.Ok);

    private static PowerReading Bad(SensorHealth health) => new(0, double.NaN, double.NaN, double.NaN, 1, health);

    [Fact]
    public void SumsRacksAndCluster()
    {
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, new LoadAggregatorOptions());
        PowerReading[] readings = [Ok(100), Ok(110), Ok(200), Ok(210), Ok(300), Ok(310), Ok(400), Ok(410)];
        LoadEstimate e = aggregator.Aggregate(readings, 0);
        Assert.Equal(2040, e.LoadW, 9);
        Assert.Equal(InputHealth.None, e.Flags);
        Assert.Equal([210.0, 410.0, 610.0, 810.0], aggregator.RackPowerW.ToArray());
    }

    [Fact]
    public void AMissingSensorStartsAtItsLastValueAndDecaysToItsRackPeersShare()
    {
        var options = new LoadAggregatorOptions { DecayTimeConstantS = 2 };
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, options);
        PowerReading[] readings = [Ok(100), Ok(140), Ok(200), Ok(200), Ok(300), Ok(300), Ok(400), Ok(400)];
        aggregator.Aggregate(readings, 0);

        readings[1] = Bad(SensorHealth.BusError); // r1b drops out; its peer r1a reads 100
        LoadEstimate atDrop = aggregator.Aggregate(readings, 1_000_000_000);
        Assert.Equal(InputHealth.LoadDegraded, atDrop.Flags);
        Assert.Equal(1, atDrop.EstimatedCount);
        Assert.Equal(140, aggregator.SensorPowerW[1], 9); // no step at the drop-out
        Assert.True(aggregator.IsEstimated(1));

        LoadEstimate later = aggregator.Aggregate(readings, 3_000_000_000); // 2 s = one time constant later
        double expected = 100 + (40 * Math.Exp(-1)); // share (peer r1a = 100) + offset 40 decayed by e^-1
        Assert.Equal(expected, aggregator.SensorPowerW[1], 9);
        Assert.Equal(100 + expected + 400 + 600 + 800, later.LoadW, 9);

        aggregator.Aggregate(readings, 60_000_000_000);
        Assert.Equal(100, aggregator.SensorPowerW[1], 6); // fully decayed to the peer's share
    }

    [Fact]
    public void TheEstimateFollowsASwingTheWholeClusterMakes()
    {
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, new LoadAggregatorOptions { DecayTimeConstantS = 100 });
        PowerReading[] readings = [Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100)];
        aggregator.Aggregate(readings, 0);
        readings[1] = Bad(SensorHealth.Stale);
        aggregator.Aggregate(readings, 1_000_000);

        for (int i = 0; i < readings.Length; i++)
        {
            if (i != 1)
            {
                readings[i] = Ok(20); // a training step ends: every rack drops together
            }
        }

        LoadEstimate e = aggregator.Aggregate(readings, 2_000_000);
        Assert.Equal(20, aggregator.SensorPowerW[1], 3); // no phantom 100 W held from before the drop
        Assert.Equal(160, e.LoadW, 3);
    }

    [Fact]
    public void ARackWithoutAnyUsableFeedUsesTheClusterShare()
    {
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, new LoadAggregatorOptions());
        PowerReading[] readings = [Bad(SensorHealth.Missing), Bad(SensorHealth.Missing), Ok(200), Ok(200), Ok(300), Ok(300), Ok(400), Ok(400)];
        LoadEstimate e = aggregator.Aggregate(readings, 0);
        Assert.Equal(300, aggregator.SensorPowerW[0], 9); // never good: the cluster share (1800 / 6)
        Assert.Equal(InputHealth.LoadDegraded, e.Flags);
        Assert.Equal(0.25, e.EstimatedWeightFraction, 9);
    }

    [Fact]
    public void TooManyEstimatesMeanTheLoadIsMissing()
    {
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, new LoadAggregatorOptions { MaxEstimatedFraction = 0.5 });
        PowerReading[] readings = [Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100)];
        Assert.Equal(800, aggregator.Aggregate(readings, 0).LoadW, 9);
        for (int i = 0; i < 5; i++)
        {
            readings[i] = Bad(SensorHealth.BusError);
        }

        LoadEstimate e = aggregator.Aggregate(readings, 1);
        Assert.Equal(InputHealth.LoadDegraded | InputHealth.LoadMissing, e.Flags);
        Assert.Equal(800, e.LoadW, 9); // the last load that was not missing, finite for the controller

        var snapshot = new RackSnapshot(8, 0);
        readings.CopyTo(snapshot.Sensors, 0);
        InputHealth flags = aggregator.Apply(snapshot);
        Assert.True(snapshot.LoadDegraded);
        Assert.True((flags & InputHealth.LoadMissing) != 0);
    }

    [Fact]
    public void AggregationDoesNotAllocate()
    {
        var aggregator = new LoadAggregator(FourRacksTwoFeeds, new LoadAggregatorOptions());
        PowerReading[] readings = [Ok(100), Bad(SensorHealth.Stale), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100), Ok(100)];
        long t = 0;
        Assert.Equal(0, Allocations.Measure(() => aggregator.Aggregate(readings, t += 1_000_000)));
    }
}

public class LoadAggregatorOffsetTests
{
    private static readonly RackTopology OneRackTwoFeeds = new([("a", "r", 1), ("b", "r", 1), ("c", "s", 1), ("d", "s", 1)]);

    private static PowerReading R(double w, SensorHealth h = SensorHealth.Ok) => new(0, w, 12, 1, 1, h);

    [Fact]
    public void ADropOutDuringASwingDoesNotBakeTheSwingIntoTheEstimate()
    {
        var aggregator = new LoadAggregator(OneRackTwoFeeds, new LoadAggregatorOptions { OffsetSmoothingS = 0.2, DecayTimeConstantS = 100 });
        long t = 0;
        for (int i = 0; i < 2000; i++)
        {
            aggregator.Aggregate([R(150), R(100), R(100), R(100)], t += 1_000_000); // "a" runs 50 W above its peer
        }

        // The swing: "a" still shows its old value (sampled just before), its peer already the new one, then "a" is lost.
        aggregator.Aggregate([R(150), R(20), R(20), R(20)], t += 1_000_000);
        aggregator.Aggregate([R(0, SensorHealth.BusError), R(20), R(20), R(20)], t += 1_000_000);
        Assert.InRange(aggregator.SensorPowerW[0], 69, 71); // 20 + the learnt 50 W (one skewed period moved it by < 1 W)
    }

    [Fact]
    public void ASensorCaughtStuckForfeitsItsOffset()
    {
        var aggregator = new LoadAggregator(OneRackTwoFeeds, new LoadAggregatorOptions());
        long t = 0;
        for (int i = 0; i < 2000; i++)
        {
            aggregator.Aggregate([R(150), R(100), R(100), R(100)], t += 1_000_000);
        }

        aggregator.Aggregate([R(150, SensorHealth.StuckAt), R(100), R(100), R(100)], t += 1_000_000);
        Assert.Equal(100, aggregator.SensorPowerW[0], 9); // its plain share of the peer
    }
}
