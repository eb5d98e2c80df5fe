using Edge.Core.Battery;
using Edge.Core.Control;

namespace Edge.Core.Tests;

/// <summary>Drives a controller tick by tick against the battery model, on virtual time.</summary>
internal sealed class ControllerHarness
{
    public const double PeriodS = 0.01;

    public ControllerHarness(ControllerOptions options, double initialSocPct = 50)
    {
        Options = options;
        Controller = new SmoothingController(options);
        Battery = new BatteryModel(new BatteryModelOptions
        {
            EnergyWh = options.EnergyWh,
            MaxChargeW = options.MaxChargeW,
            MaxDischargeW = options.MaxDischargeW,
            ChargeEfficiency = options.ChargeEfficiency,
            DischargeEfficiency = options.DischargeEfficiency,
            InitialSocPct = initialSocPct,
        }, PeriodS);
    }

    public ControllerOptions Options { get; }

    public SmoothingController Controller { get; }

    public BatteryModel Battery { get; }

    public long Tick { get; private set; }

    /// <summary>Grid over the last period (load + unmeasured − battery), W.</summary>
    public double GridW { get; private set; }

    public Decision Last { get; private set; }

    public InputHealth Health { get; set; }

    /// <summary>Power the rack sensors do not see (cooling, losses), W; the site meter does.</summary>
    public double UnmeasuredW { get; set; }

    public bool SiteMeter { get; set; }

    /// <summary>Of the load, what counted-on flexible loads draw (<see cref="TickInput.CurtailableW"/>), W.</summary>
    public double CurtailableW { get; set; }

    public Decision Step(double loadW)
    {
        var input = new TickInput
        {
            NowNs = Tick * (long)(PeriodS * 1e9),
            LoadW = loadW,
            CurtailableW = CurtailableW,
            BatteryMeasuredW = Battery.PowerW,
            SocPct = Battery.SocPct,
            AllowedChargeW = Battery.AllowedChargeW,
            AllowedDischargeW = Battery.AllowedDischargeW,
            Health = Health,
            HasGridMeasured = SiteMeter,
            // The site meter sees the true grid at the sample instant, before the new setpoint acts.
            GridMeasuredW = loadW + UnmeasuredW - Battery.PowerW,
        };
        Last = Controller.Decide(input);
        double actualW = Battery.Step(Last.BatterySetpointW, PeriodS);
        GridW = loadW + UnmeasuredW - actualW;
        Tick++;
        return Last;
    }

    /// <summary>The loop stalls for <paramref name="seconds"/> (SIGSTOP, a long GC pause): no decision, the battery
    /// keeps delivering the last setpoint, time goes on.</summary>
    public void Stall(double seconds)
    {
        for (int i = 0; i < (int)Math.Round(seconds / PeriodS); i++)
        {
            Battery.Step(Last.BatterySetpointW, PeriodS);
            Tick++;
        }
    }

    public void Run(double loadW, double seconds)
    {
        for (int i = 0; i < (int)Math.Round(seconds / PeriodS); i++)
        {
            Step(loadW);
        }
    }

    public static ControllerOptions DefaultOptions() => new()
    {
        PeriodMs = PeriodS * 1000,
        MaxChargeW = 10_000,
        MaxDischargeW = 10_000,
        EnergyWh = 10_000 * 120 / 3600.0,
        RampUpWPerS = 100,
        RampDownWPerS = 100,
    };
}
