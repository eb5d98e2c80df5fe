namespace Edge.Core.Control;

/// <summary>
/// Everything the controller reads in one period (docs/DESIGN.md §4). Sign convention (docs/DESIGN.md §1): battery power &gt; 0 =
/// discharging into the site; grid = load − battery.
/// </summary>
public struct TickInput
{
    /// <summary>Loop time of the sample, ns (monotonic).</summary>
    public long NowNs;

    /// <summary>Rack load (sum of rack sensors), W.</summary>
    public double LoadW;

    /// <summary>True when the site meter supplied <see cref="GridMeasuredW"/> this period.</summary>
    public bool HasGridMeasured;

    /// <summary>Site meter's grid power, W, measured at the same instant as the load.</summary>
    public double GridMeasuredW;

    /// <summary>Battery power measured at the inverters (sum), W.</summary>
    public double BatteryMeasuredW;

    /// <summary>Battery state of charge (energy-weighted over inverters), %.</summary>
    public double SocPct;

    /// <summary>Charge power the inverters accept now (sum), W, ≥ 0.</summary>
    public double AllowedChargeW;

    /// <summary>Discharge power the inverters can deliver now (sum), W, ≥ 0.</summary>
    public double AllowedDischargeW;

    /// <summary>
    /// Of <see cref="LoadW"/>, what counted-on flexible loads draw now, W (≥ 0; 0 when there are none). They curtail when
    /// the racks rise, but not at once, so a rise to the recent peak finds them still on: the controller keeps the grid
    /// high enough for the battery to carry that peak plus them.
    /// </summary>
    public double CurtailableW;

    /// <summary>Health of these inputs.</summary>
    public InputHealth Health;
}
