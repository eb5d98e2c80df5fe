using Edge.Core.Devices;
using Edge.Devices.Gpio;
using Edge.Simulation.Gpio;
using Edge.Core.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Devices.Tests;

public class GpioTests
{
    private static (SimulatedGpioChip Chip, VirtualClock Clock) Chip()
    {
        var clock = new VirtualClock();
        return (new SimulatedGpioChip("sim", 32, clock.Read), clock);
    }

    private static GpioLineSettings EmergencyStop => new(17, GpioDirection.Input)
    {
        ActiveLow = true,
        Bias = GpioBias.PullUp,
        Edges = GpioEdgeDetection.Both,
        DebounceUs = 5000,
    };

    [Fact]
    public void ActiveLowEmergencyStopReadsActiveWhenPressedAfterDebounce()
    {
        var (chip, clock) = Chip();
        var estop = new GpioDigitalInput("estop", chip.RequestLine(EmergencyStop));
        Assert.True(estop.TryRead(out bool active));
        Assert.False(active); // pulled up = released

        SimulatedGpioLine line = chip.Line(17);
        line.SetElectrical(false, 1_000_000); // contact closes to ground at 1 ms
        clock.Set(5_999_999);
        Assert.True(estop.TryRead(out active));
        Assert.False(active); // still within the 5 ms debounce
        Assert.False(estop.TryTakeEdge(out _));

        clock.Set(6_000_000);
        Assert.True(estop.TryRead(out active));
        Assert.True(active);
        Assert.True(estop.TryTakeEdge(out DigitalEdge edge));
        Assert.True(edge.Active);
        Assert.Equal(6_000_000, edge.TimestampNs); // stamped when the level had been stable for the debounce period
        Assert.Equal(1u, edge.Sequence);
    }

    [Fact]
    public void GlitchesShorterThanTheDebounceAreFiltered()
    {
        var (chip, clock) = Chip();
        var estop = new GpioDigitalInput("estop", chip.RequestLine(EmergencyStop));
        SimulatedGpioLine line = chip.Line(17);
        line.SetElectrical(false, 1_000_000);
        line.SetElectrical(true, 3_000_000); // bounced back after 2 ms
        clock.Set(20_000_000);
        Assert.True(estop.TryRead(out bool active));
        Assert.False(active);
        Assert.False(estop.TryTakeEdge(out _));
    }

    [Fact]
    public void LostEdgesShowAsASequenceGap()
    {
        var (chip, clock) = Chip();
        var settings = new GpioLineSettings(5, GpioDirection.Input) { Edges = GpioEdgeDetection.Both, EventBufferSize = 4 };
        var input = new GpioDigitalInput("in", chip.RequestLine(settings));
        SimulatedGpioLine line = chip.Line(5);
        for (int i = 1; i <= 10; i++)
        {
            line.SetElectrical(i % 2 == 1, i * 1000L);
        }

        clock.Set(20_000);
        Assert.True(input.TryTakeEdge(out DigitalEdge first));
        Assert.Equal(7u, first.Sequence); // 10 edges, 4 kept: 7..10
        Assert.Equal(6, line.DroppedEdges);
    }

    [Fact]
    public void RelayOutputStartsAtItsInitialLevelAndReportsWriteFailures()
    {
        var (chip, _) = Chip();
        var relay = new GpioDigitalOutput("enable", chip.RequestLine(new GpioLineSettings(27, GpioDirection.Output) { InitialActive = false }));
        Assert.False(relay.Level);
        Assert.False(chip.Line(27).ElectricalHigh);
        Assert.True(relay.TryWrite(true));
        Assert.True(relay.Level);
        Assert.True(chip.Line(27).ElectricalHigh);
        chip.Line(27).Broken = true;
        Assert.False(relay.TryWrite(false));
        Assert.True(relay.Level); // the last level written successfully
    }

    [Fact]
    public void AStuckInputIgnoresTheContact()
    {
        var (chip, clock) = Chip();
        var estop = new GpioDigitalInput("estop", chip.RequestLine(EmergencyStop));
        chip.Line(17).StuckLogical = false;
        chip.Line(17).SetElectrical(false, 0);
        clock.Set(10_000_000);
        Assert.True(estop.TryRead(out bool active));
        Assert.False(active);
    }

    [Fact]
    public void RequestingALineTwiceOrOutOfRangeIsAClearError()
    {
        var (chip, _) = Chip();
        chip.RequestLine(EmergencyStop);
        Assert.Contains("EBUSY", Assert.Throws<DeviceOpenException>(() => chip.RequestLine(EmergencyStop)).Message, StringComparison.Ordinal);
        Assert.Contains("32 lines", Assert.Throws<DeviceOpenException>(() => chip.RequestLine(new GpioLineSettings(40, GpioDirection.Input))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GpioLineSettings(1, GpioDirection.Output) { DebounceUs = 10 }.Validate());
    }

    [Fact]
    public void ReadingInputsDoesNotAllocate()
    {
        var (chip, clock) = Chip();
        var estop = new GpioDigitalInput("estop", chip.RequestLine(EmergencyStop));
        Assert.Equal(0, Allocations.Measure(() =>
        {
            clock.Advance(1000);
            estop.TryRead(out _);
            estop.TryTakeEdge(out _);
        }));
    }
}
