using System.Device.Gpio;
using Edge.Core.Timing;
using Edge.Devices.Gpio;
using Edge.Simulation.Gpio;

namespace Edge.Devices.Tests;

/// <summary>Edge's character-device GPIO code as a dotnet/iot <see cref="GpioDriver"/> under <see cref="GpioController"/>.</summary>
public class GpioDriverTests
{
    private static (GpioController Controller, SimulatedGpioChip Chip, VirtualClock Clock) Controller()
    {
        var clock = new VirtualClock();
        var chip = new SimulatedGpioChip("sim", 32, clock.Read);
        return (new GpioController(new CharacterDeviceGpioDriver(chip)), chip, clock);
    }

    [Fact]
    public void GpioControllerReadsAndWritesLinesThroughTheDriver()
    {
        var (controller, chip, clock) = Controller();
        using (controller)
        {
            chip.SetIdleLevel(17, true);
            controller.OpenPin(17, PinMode.InputPullUp);
            Assert.Equal(PinValue.High, controller.Read(17));
            Assert.Equal(GpioBias.PullUp, chip.Line(17).Settings.Bias);
            chip.Line(17).SetElectrical(false, clock.NowNs);
            Assert.Equal(PinValue.Low, controller.Read(17));

            controller.OpenPin(5, PinMode.Output, PinValue.High); // starts high: requested with the level, no glitch
            Assert.True(chip.Line(5).ElectricalHigh);
            controller.Write(5, PinValue.Low);
            Assert.False(chip.Line(5).ElectricalHigh);
            Assert.Equal(PinMode.Output, controller.GetPinMode(5));
            Assert.True(controller.IsPinModeSupported(5, PinMode.InputPullDown));
        }

        Assert.True(chip.Line(5).IsDisposed); // closing the controller releases the lines
    }

    [Fact]
    public void WaitForEventReturnsTheEdgeAndTimesOut()
    {
        var (controller, chip, clock) = Controller();
        using (controller)
        {
            controller.OpenPin(9, PinMode.Input);
            Assert.True(controller.WaitForEvent(9, PinEventTypes.Rising, TimeSpan.FromMilliseconds(100)).TimedOut);
            chip.Line(9).SetElectrical(true, clock.NowNs + 1); // the line now has edge detection
            clock.Advance(10);
            WaitForEventResult r = controller.WaitForEvent(9, PinEventTypes.Rising, TimeSpan.FromSeconds(10));
            Assert.False(r.TimedOut);
            Assert.Equal(PinEventTypes.Rising, r.EventTypes);
        }
    }

    [Fact]
    public void CallbacksFireOnTheEventThread()
    {
        var (controller, chip, clock) = Controller();
        using (controller)
        {
            chip.SetIdleLevel(4, true);
            controller.OpenPin(4, PinMode.Input);
            int falling = 0;
            controller.RegisterCallbackForPinValueChangedEvent(4, PinEventTypes.Falling, (_, e) =>
            {
                Assert.Equal(4, e.PinNumber);
                Interlocked.Increment(ref falling);
            });
            chip.Line(4).SetElectrical(false, clock.NowNs + 1);
            clock.Advance(10);
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref falling) == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }

            Assert.Equal(1, Volatile.Read(ref falling));
        }
    }

    [Fact]
    public void OutOfRangePinsAreRefused()
    {
        var (controller, _, _) = Controller();
        using (controller)
        {
            Assert.ThrowsAny<ArgumentException>(() => controller.OpenPin(32, PinMode.Input));
        }
    }
}
