using Edge.Core.Control;

namespace Edge.Core.Tests;

public class OptionsTests
{
    public static TheoryData<string, Action<ControllerOptions>> BadOptions() => new()
    {
        { "Controller:PeriodMs", o => o.PeriodMs = 0 },
        { "Controller:RampUpWPerS", o => o.RampUpWPerS = -1 },
        { "Controller:RampDownWPerS", o => o.RampDownWPerS = double.NaN },
        { "Controller:RampWindowS", o => o.RampWindowS = 0 },
        { "Controller:DynamicRangeW", o => o.DynamicRangeW = -5 },
        { "Controller:BandLowHz", o => o.BandLowHz = 0 },
        { "Controller:BandHighHz", o => o.BandHighHz = 0.05 },
        { "Controller:GridCapW", o => o.GridCapW = double.NaN },
        { "Controller:GridCapW", o => { o.GridCapW = 100; o.GridFloorW = 200; } },
        { "Controller:GridCapW", o => o.GridCapW = -1e300 }, // a typo or an attack, not a limit: it drained the battery
        { "Controller:GridCapW", o => o.GridCapW = double.NegativeInfinity },
        { "Controller:GridFloorW", o => o.GridFloorW = 2e12 },
        { "Controller:GridFloorW", o => o.GridFloorW = double.PositiveInfinity },
        { "Controller:SocMinPct", o => o.SocMinPct = -1 },
        { "Controller:SocMaxPct", o => o.SocMaxPct = 101 },
        { "Controller:SocMinPct", o => { o.SocMinPct = 60; o.SocMaxPct = 40; } },
        { "Controller:SocMinPct", o => o.SocMinPct = 95 }, // issue 13: blamed on the one typed, naming SocMaxPct
        { "Controller:SocTargetPct", o => o.SocTargetPct = 95 },
        { "Controller:EnergyWh", o => o.EnergyWh = 0 },
        { "Controller:MaxChargeW", o => o.MaxChargeW = double.PositiveInfinity },
        { "Controller:MaxDischargeW", o => o.MaxDischargeW = -1 },
        { "Controller:ChargeEfficiency", o => o.ChargeEfficiency = 0 },
        { "Controller:DischargeEfficiency", o => o.DischargeEfficiency = 1.01 },
        { "Controller:SocRecoveryS", o => o.SocRecoveryS = 0 },
        { "Controller:SocRecoveryMaxFraction", o => o.SocRecoveryMaxFraction = 2 },
        { "Controller:SocGuardS", o => o.SocGuardS = 0 },
        { "Controller:PowerHeadroomMemoryS", o => o.PowerHeadroomMemoryS = -3 },
        { "Controller:ExpectedLoadMaxW", o => o.ExpectedLoadMaxW = double.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_bad_option_is_named_with_its_value_and_allowed_range(string path, Action<ControllerOptions> spoil)
    {
        var o = new ControllerOptions();
        Assert.Empty(o.Validate());
        spoil(o);
        IReadOnlyList<OptionError> errors = o.Validate();
        OptionError e = Assert.Single(errors, x => x.Path == path);
        Assert.Contains(path, e.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Allowed));
        Assert.Throws<ArgumentException>(() => new SmoothingController(o));
    }

    [Fact]
    public void Infinite_cap_and_floor_mean_none_and_are_valid()
    {
        var o = new ControllerOptions { GridCapW = double.PositiveInfinity, GridFloorW = double.NegativeInfinity };
        Assert.Empty(o.Validate());
    }
}
