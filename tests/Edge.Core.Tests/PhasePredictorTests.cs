using Edge.Core.Forecast;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

/// <summary>
/// The phase-duration predictor and its skill-weighted blend with the periodic one (docs/planner.md §2), on synthetic
/// loads on virtual time (10 ms periods).
/// </summary>
public sealed class PhasePredictorTests
{
    private const long PeriodNs = 10_000_000;
    private const double HighW = 10_000;
    private const double LowW = 3_000;

    /// <summary>A load of alternating phases: high for highS[i], then low for lowS[i], i = 0, 1, … (the last repeated).</summary>
    private static Func<double, double> Phases(double[] highS, double[] lowS) => tS =>
    {
        double t = tS;
        for (int i = 0; ; i++)
        {
            double h = highS[Math.Min(i, highS.Length - 1)];
            double l = lowS[Math.Min(i, lowS.Length - 1)];
            if (t < h)
            {
                return HighW;
            }

            if (t < h + l)
            {
                return LowW;
            }

            t -= h + l;
        }
    };

    private static PhasePredictor Feed(Func<double, double> load, double seconds)
    {
        var p = new PhasePredictor();
        for (long k = 0; k * PeriodNs < (long)(seconds * 1e9); k++)
        {
            p.Add(k * PeriodNs, load(k * PeriodNs * 1e-9));
        }

        p.Update();
        return p;
    }

    [Fact]
    public void The_cycle_is_repeated_from_the_current_phases_start()
    {
        // High 9 s, low 14 s (a cycle of 23 s): at 290 s = 12·23 + 14 the load is 5 s into a low phase, 9 s are left.
        Func<double, double> load = Phases([9], [14]);
        PhasePredictor p = Feed(load, 290);
        Assert.True(p.Usable);
        Assert.InRange(p.RemainingS, 8, 10);
        var predicted = new double[600];
        p.Predict(predicted, 0.1);
        // Every 0.1 s of the next minute, the level that comes, except within 1 s of an edge.
        int wrong = 0;
        for (int k = 0; k < predicted.Length; k++)
        {
            double tS = 290 + ((k + 1) * 0.1);
            double truth = load(tS);
            bool nearEdge = Math.Abs(load(tS - 1) - load(tS + 1)) > 0 || Math.Abs(load(tS - 1) - truth) > 0;
            if (!nearEdge && Math.Abs(predicted[k] - truth) > 1)
            {
                wrong++;
            }
        }

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void A_phase_that_outlasts_the_last_one_is_predicted_by_persistence()
    {
        // Pauses of 17 s, then one that has lasted 25 s so far: not the rhythm any more (a longer pause, or the job's end).
        double[] high = [.. Enumerable.Repeat(23.0, 8), 23];
        double[] low = [.. Enumerable.Repeat(17.0, 8), 600];
        PhasePredictor p = Feed(Phases(high, low), (9 * 23) + (8 * 17) + 25);
        Assert.False(p.Usable);
        var predicted = new double[600];
        p.Predict(predicted, 0.1);
        Assert.All(predicted, w => Assert.Equal(LowW, w, 6));
    }

    [Fact]
    public void Lengthened_pauses_are_followed_after_one_phase()
    {
        // Pauses of 17 s for a while, then of 56 s: after one long pause and the next high phase, the predictor expects
        // the next pause to last 56 s too — where the autocorrelation still sees mostly the old rhythm.
        double[] high = [.. Enumerable.Repeat(23.0, 12)];
        double[] low = [.. Enumerable.Repeat(17.0, 6), .. Enumerable.Repeat(56.0, 6)];
        double start = (8 * 23) + (6 * 17) + 56 + 10; // 10 s into the second long pause, after one of 56 s
        PhasePredictor p = Feed(Phases(high, low), start);
        Assert.True(p.Usable);
        Assert.InRange(p.RemainingS, 45, 47);
    }

    [Fact]
    public void A_blip_shorter_than_a_phase_does_not_split_it()
    {
        Func<double, double> clean = Phases([20], [30]);
        // A 2 s dip in the middle of every high phase.
        double Load(double tS) => tS % 50 is >= 9 and < 11 ? LowW : clean(tS);
        PhasePredictor p = Feed(Load, 264); // 14 s into a high phase (which began at 250 s; the last complete bin is 262–263 s)
        Assert.True(p.Usable);
        Assert.InRange(p.RemainingS, 6, 8);
    }

    [Fact]
    public void A_load_without_two_levels_is_predicted_by_persistence()
    {
        var random = new Random(3);
        PhasePredictor p = Feed(_ => 5_000 + (random.NextDouble() * 100), 300);
        Assert.False(p.Usable);
    }

    [Fact]
    public void Add_update_and_predict_allocate_nothing()
    {
        Func<double, double> load = Phases([9], [14]);
        PhasePredictor p = Feed(load, 200);
        var predicted = new double[600];
        int pass = 0;
        long allocated = SteadyAllocations.PerPassMinimum(() =>
        {
            for (long k = 20_000 + (pass * 500); k < 20_500 + (pass * 500); k++)
            {
                p.Add(k * PeriodNs, load(k * PeriodNs * 1e-9));
            }

            p.Update();
            p.Predict(predicted, 0.1);
            pass++;
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Skill_weighs_the_forecast_that_has_been_right()
    {
        // Forecast A is the truth, B is 1 kW off; bins of 5 kW come: B's weight falls towards 0 (½ before any score).
        var skill = new ForecastSkill();
        var bins = new PhasePredictor();
        var a = new double[300];
        var b = new double[300];
        Array.Fill(a, 5_000);
        Array.Fill(b, 6_000);
        Assert.Equal(0.5, skill.WeightB);
        for (long s = 0; s < 120; s++)
        {
            for (int i = 0; i < 100; i++)
            {
                bins.Add((s * 1_000_000_000) + (i * PeriodNs), 5_000);
            }

            skill.Score(bins);
            skill.Issue(bins.Bins, a, b, 0.1);
        }

        Assert.True(skill.Scored > 50, $"scored {skill.Scored}");
        Assert.Equal(0, skill.ErrorAW, 6);
        Assert.Equal(ForecastSkill.LeadS * 1_000, skill.ErrorBW, 6);
        Assert.True(skill.WeightB < 1e-6, $"weight {skill.WeightB}");
    }

    /// <summary>
    /// Runs a forecast at 1 Hz over <paramref name="load"/>; from <paramref name="fromS"/> on, the mean absolute error of
    /// its next 30 s (1 s means) and the largest weight it gave the phase predictor.
    /// </summary>
    private static (double ErrorW, double MaxPhaseWeight) Run(LoadForecast forecast, Func<double, double> load, double seconds, double fromS)
    {
        var predicted = new double[600];
        double maxWeight = 0;
        double errorW = 0;
        int scored = 0;
        for (long k = 0; k * PeriodNs < (long)(seconds * 1e9); k++)
        {
            long nowNs = k * PeriodNs;
            forecast.Add(nowNs, load(nowNs * 1e-9));
            if (k % 100 == 99)
            {
                forecast.Update();
                forecast.Predict(nowNs + PeriodNs, predicted, 0.1);
                double tS = (nowNs + PeriodNs) * 1e-9;
                if (tS >= fromS && tS + 30 <= seconds)
                {
                    maxWeight = Math.Max(maxWeight, forecast.PhaseWeight);
                    for (int s = 0; s < 30; s++)
                    {
                        double mean = 0;
                        for (int i = 0; i < 10; i++)
                        {
                            mean += predicted[(s * 10) + i] / 10;
                        }

                        double truth = 0;
                        for (int i = 0; i < 100; i++)
                        {
                            truth += load(tS + s + (i * 0.01)) / 100;
                        }

                        errorW += Math.Abs(mean - truth);
                        scored++;
                    }
                }
            }
        }

        return (scored > 0 ? errorW / scored : double.NaN, maxWeight);
    }

    [Fact]
    public void The_blend_follows_lengthened_pauses_better_than_the_periodic_predictor_alone()
    {
        double[] high = [.. Enumerable.Repeat(23.0, 14)];
        double[] low = [.. Enumerable.Repeat(17.0, 6), .. Enumerable.Repeat(56.0, 8)];
        Func<double, double> load = Phases(high, low);
        double changeS = (6 * 23) + (6 * 17);
        var periodicOnly = new LoadForecast(new PeriodicPredictor());
        var blend = new LoadForecast(new PeriodicPredictor(), phases: new PhasePredictor(), maxSteps: 600);
        double periodicW = Run(periodicOnly, load, changeS + 300, changeS).ErrorW;
        (double blendW, double maxWeight) = Run(blend, load, changeS + 300, changeS);
        // Measured: 1 221 W against 1 857 W, the phase predictor weighing up to 0.999 while the autocorrelation still
        // holds mostly the old rhythm.
        Assert.True(maxWeight > 0.5, $"phase weight at most {maxWeight:F2}");
        Assert.True(blendW < 0.8 * periodicW, $"mean error over the 5 min after the change: blend {blendW:F0} W, periodic alone {periodicW:F0} W");
    }

    [Fact]
    public void Two_jobs_of_different_periods_are_left_to_the_periodic_predictor()
    {
        static double Square(double tS, double periodS, double highS, double highW, double lowW) => tS % periodS < highS ? highW : lowW;
        static double TwoJobs(double tS) => Square(tS, 7.3, 5.0, 6_000, 1_000) + Square(tS, 11.9, 4.0, 4_000, 500);
        var blend = new LoadForecast(new PeriodicPredictor(), phases: new PhasePredictor(), maxSteps: 600);
        (_, double maxWeight) = Run(blend, TwoJobs, 400, 300); // measured: at most 0.31
        Assert.True(maxWeight < 0.5, $"phase weight up to {maxWeight:F2}");
    }

    [Fact]
    public void A_blending_forecast_allocates_nothing_per_round()
    {
        Func<double, double> load = Phases([9], [14]);
        var f = new LoadForecast(new PeriodicPredictor(), phases: new PhasePredictor(), maxSteps: 600);
        Run(f, load, 200, 1e9);
        var predicted = new double[600];
        int pass = 0;
        long allocated = SteadyAllocations.PerPassMinimum(() =>
        {
            for (long k = 20_000 + (pass * 100); k < 20_100 + (pass * 100); k++)
            {
                f.Add(k * PeriodNs, load(k * PeriodNs * 1e-9));
            }

            f.Update();
            f.Predict((20_100 + (pass * 100)) * PeriodNs, predicted, 0.1);
            pass++;
        });
        Assert.Equal(0, allocated);
    }
}
