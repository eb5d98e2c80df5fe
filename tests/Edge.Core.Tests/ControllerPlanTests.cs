using Edge.Core.Control;

namespace Edge.Core.Tests;

/// <summary>A planner's <see cref="GridPlan"/> steers the smoothing controller; switching to and from it is bumpless.</summary>
public sealed class ControllerPlanTests
{
    private static double Load(long tick) => (tick / 150) % 2 == 0 ? 7_000 : 3_000; // 1.5 s compute / 1.5 s all-reduce

    [Fact]
    public void Switching_to_a_plan_and_back_never_steps_the_grid_target()
    {
        var h = new ControllerHarness(ControllerHarness.DefaultOptions());
        double rampW = h.Options.RampUpWPerS * ControllerHarness.PeriodS * 1.000001;
        double previousW = double.NaN;
        double largestStepW = 0;
        int planned = 0;
        for (long k = 0; k < 30_000; k++)
        {
            long nowNs = k * 10_000_000;
            if (k == 9_000)
            {
                // A plan 1.5 kW away from where the grid is, rising: the target must ramp to it, not jump.
                h.Controller.SetPlan(new GridPlan(nowNs, h.Last.GridTargetW + 1_500, 20, nowNs + 60_000_000_000));
            }

            if (k == 15_000)
            {
                // A new plan far below, then (at 20 000) none at all: the lapse hands back to the low-pass reference.
                h.Controller.SetPlan(new GridPlan(nowNs, 2_000, 0, nowNs + 50_000_000_000));
            }

            Decision d = h.Step(Load(k));
            planned += h.Controller.PlanInUse ? 1 : 0;
            if (!double.IsNaN(previousW) && !d.IsSaturated)
            {
                largestStepW = Math.Max(largestStepW, Math.Abs(d.GridTargetW - previousW));
            }

            previousW = d.GridTargetW;
        }

        Assert.Equal(11_000, planned);
        Assert.True(largestStepW <= rampW, $"largest step {largestStepW:F3} W per period, limit {rampW:F3}");
    }

    [Fact]
    public void A_plan_is_tracked_and_a_lapsed_one_is_not()
    {
        var h = new ControllerHarness(ControllerHarness.DefaultOptions());
        h.Run(5_000, 10);
        h.Controller.SetPlan(new GridPlan(10_000_000_000, 5_600, 0, 200_000_000_000));
        h.Run(5_000, 120);
        Assert.True(h.Controller.PlanInUse);
        Assert.Equal(5_600, h.Last.GridTargetW, 0);
        h.Run(5_000, 200);
        Assert.False(h.Controller.PlanInUse);
        // Back on its own reference: the load, less the SoC recovery of what the plan charged (measured 4 846 W).
        Assert.InRange(h.Last.GridTargetW, 4_700, 5_000);
    }

    [Fact]
    public void Hold_and_standby_ignore_a_plan()
    {
        var h = new ControllerHarness(ControllerHarness.DefaultOptions());
        h.Run(5_000, 5);
        Assert.Null(h.Controller.TrySetMode(ControlMode.Hold));
        h.Controller.SetPlan(new GridPlan(5_000_000_000, 8_000, 0, 500_000_000_000));
        h.Run(5_000, 30);
        Assert.False(h.Controller.PlanInUse);
        Assert.Null(h.Controller.TrySetMode(ControlMode.Standby));
        h.Run(5_000, 30);
        Assert.False(h.Controller.PlanInUse);
    }

    [Fact]
    public void A_non_finite_plan_is_not_used()
    {
        var h = new ControllerHarness(ControllerHarness.DefaultOptions());
        h.Controller.SetPlan(new GridPlan(0, double.NaN, 0, 500_000_000_000));
        h.Run(5_000, 5);
        Assert.False(h.Controller.PlanInUse);
        Assert.True(double.IsFinite(h.Last.GridTargetW));
    }

    [Fact]
    public void A_plan_steers_within_the_power_headroom_envelope_so_the_next_peak_can_still_be_carried()
    {
        // A battery smaller than the swing (3 kW against 7 kW / 3 kW): the controller keeps the grid at least the recent
        // peak less the battery's power. A plan whose forecast missed the next peak (a long pause) asks for 1 kW: the
        // loop tracks it, but not below that envelope — the next 7 kW peak must not saturate the battery.
        ControllerOptions o = ControllerHarness.DefaultOptions();
        o.MaxChargeW = 3_000;
        o.MaxDischargeW = 3_000;
        var h = new ControllerHarness(o);
        for (long k = 0; k < 12_000; k++)
        {
            h.Step(Load(k));
        }

        long nowNs = h.Tick * 10_000_000;
        h.Controller.SetPlan(new GridPlan(nowNs, 1_000, 0, nowNs + 200_000_000_000));
        double lowestW = double.PositiveInfinity;
        for (int k = 0; k < 6_000; k++)
        {
            Decision d = h.Step(3_000); // the pause: 60 s at the low load
            Assert.True(h.Controller.PlanInUse);
            Assert.True((d.Flags & ControlFlags.PlanTracked) != 0);
            lowestW = Math.Min(lowestW, d.GridTargetW);
        }

        Assert.True(lowestW >= 7_000 - 3_000, $"the plan took the grid target to {lowestW:F0} W, below the peak less the battery (4 000 W)");
        Assert.True(lowestW < 5_000, $"lowest grid target {lowestW:F0} W: the plan was not followed towards its reference at all");
    }
}
