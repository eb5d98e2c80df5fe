using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

/// <summary>The forecast of issue 16 on synthetic loads, on virtual time (10 ms periods).</summary>
public sealed class ForecastTests
{
    private const long PeriodNs = 10_000_000;

    private static double Square(double tS, double periodS, double highS, double highW, double lowW) =>
        tS % periodS < highS ? highW : lowW;

    private static double OneJob(double tS) => Square(tS, 7.3, 5.0, 10_000, 3_000);

    private static double TwoJobs(double tS) => Square(tS, 7.3, 5.0, 6_000, 1_000) + Square(tS, 11.9, 4.0, 4_000, 500);

    private static (double RmsW, double PersistenceRmsW) Score(PeriodicPredictor p, Func<double, double> load, double nowS, double horizonS)
    {
        var forecast = new LoadForecast(p);
        Span<double> predicted = stackalloc double[(int)(horizonS / 0.1)];
        forecast.Predict((long)(nowS * 1e9), predicted, 0.1);
        double se = 0;
        double sePersistence = 0;
        // Prediction k is the mean over [end of the newest complete bin + k·0.1 s, … + 0.1 s); the last sample was at
        // now − 10 ms, inside a bin that is not complete yet.
        double originS = Math.Floor((nowS - 0.01) / 0.1 + 1e-9) * 0.1;
        for (int k = 0; k < predicted.Length; k++)
        {
            double tS = originS + (k * 0.1) + 0.05;
            double truth = 0.5 * (load(tS - 0.04) + load(tS + 0.04));
            se += (predicted[k] - truth) * (predicted[k] - truth);
            sePersistence += (p.LastW - truth) * (p.LastW - truth);
        }

        return (Math.Sqrt(se / predicted.Length), Math.Sqrt(sePersistence / predicted.Length));
    }

    private static PeriodicPredictor Feed(Func<double, double> load, double seconds)
    {
        var p = new PeriodicPredictor();
        for (long k = 0; k * PeriodNs < (long)(seconds * 1e9); k++)
        {
            p.Add(k * PeriodNs, load(k * PeriodNs * 1e-9));
        }

        p.Update();
        return p;
    }

    [Fact]
    public void One_job_its_period_is_found_and_the_next_minute_predicted()
    {
        PeriodicPredictor p = Feed(OneJob, 300);
        Assert.Equal(1, p.Components);
        Assert.Equal(7.3, p.PeriodS(0), 3);
        Assert.True(p.Confidence > 0.9, $"confidence {p.Confidence:F3}");
        (double rms, double persistence) = Score(p, OneJob, 300, 60);
        Assert.True(rms < 0.1 * persistence, $"rms {rms:F0} W vs persistence {persistence:F0} W");
    }

    [Fact]
    public void Two_jobs_of_different_periods_give_two_components()
    {
        PeriodicPredictor p = Feed(TwoJobs, 300);
        Assert.True(p.Components >= 2, $"components {p.Components}");
        double[] periods = [p.PeriodS(0), p.PeriodS(1)];
        Assert.True(periods.Any(x => Math.Abs(x - 7.3) < 0.051) && periods.Any(x => Math.Abs(x - 11.9) < 0.051), $"periods {p.PeriodS(0)} {p.PeriodS(1)} {p.PeriodS(2)}");
        (double rms, double persistence) = Score(p, TwoJobs, 300, 60);
        Assert.True(rms < 0.35 * persistence, $"rms {rms:F0} W vs persistence {persistence:F0} W");
    }

    [Fact]
    public void Nothing_periodic_is_predicted_by_persistence()
    {
        var random = new Random(7);
        double level = 5_000;
        PeriodicPredictor p = Feed(_ => level += (random.NextDouble() - 0.5) * 20, 300);
        Span<double> predicted = stackalloc double[600];
        p.Predict(predicted, 0.1);
        Assert.True(p.Confidence < 0.5, $"confidence {p.Confidence:F3}");
        foreach (double w in predicted)
        {
            Assert.InRange(w, p.LastW - 200, p.LastW + 200);
        }
    }

    [Fact]
    public void An_announcement_counts_from_when_it_was_received_until_it_has_started()
    {
        PeriodicPredictor p = Feed(_ => 2_000, 120);
        var f = new LoadForecast(p);
        long nowNs = 120_000_000_000;
        f.Announce(new AnnouncedPhase("job-a", PhaseKind.JobStart, nowNs + 5_000_000_000, nowNs + 30_000_000_000, 6_000, 0, 0));
        var predicted = new double[600];
        f.Predict(nowNs, predicted, 0.1);
        Assert.All(predicted, w => Assert.Equal(2_000, w, 6)); // not received yet: invisible

        f.Predict(nowNs + 5_000_000_000, predicted, 0.1);
        Assert.Equal(2_000, predicted[200], 6);   // 25.1 s later: before the start
        Assert.Equal(8_000, predicted[260], 6);   // 31.1 s later: after it
        f.Predict(nowNs + 31_000_000_000, predicted, 0.1);
        Assert.Equal(0, f.Announcements);          // started: in the history from now on
        Assert.Equal(2_000, predicted[0], 6);
    }

    [Fact]
    public void A_checkpoint_announcement_dips_for_its_duration()
    {
        PeriodicPredictor p = Feed(_ => 9_000, 120);
        var f = new LoadForecast(p);
        long nowNs = 120_000_000_000;
        f.Announce(new AnnouncedPhase("ckpt", PhaseKind.CheckpointBegin, nowNs, nowNs + 10_000_000_000, 7_000, 20_000_000_000, 0));
        var predicted = new double[600];
        f.Predict(nowNs, predicted, 0.1);
        Assert.Equal(9_000, predicted[90], 6);
        Assert.Equal(2_000, predicted[150], 6);
        Assert.Equal(9_000, predicted[310], 6);
    }

    [Fact]
    public void Pending_says_which_announced_moves_lie_within_the_horizon()
    {
        var f = new LoadForecast(Feed(_ => 2_000, 120));
        long s = 1_000_000_000;
        f.Announce(new AnnouncedPhase("start", PhaseKind.JobStart, 10 * s, 100 * s, 6_000, 0, 0));
        f.Announce(new AnnouncedPhase("ckpt", PhaseKind.CheckpointBegin, 10 * s, 200 * s, 5_000, 30 * s, 0));
        f.Announce(new AnnouncedPhase("iter", PhaseKind.Iteration, 10 * s, 20 * s, 3_000, 0, 2 * s));
        long horizonNs = 60 * s;
        Assert.Equal(AnnouncedMoves.None, f.Pending(5 * s, horizonNs));      // nothing received yet
        Assert.Equal(AnnouncedMoves.None, f.Pending(30 * s, horizonNs));     // the start is 70 s away; iterations never count
        Assert.Equal(AnnouncedMoves.Rise, f.Pending(50 * s, horizonNs));     // the start within 60 s
        Assert.Equal(AnnouncedMoves.None, f.Pending(101 * s, horizonNs));    // started: no longer ahead
        Assert.Equal(AnnouncedMoves.Fall, f.Pending(150 * s, horizonNs));    // the checkpoint's start (its end at 230 s is beyond)
        Assert.Equal(AnnouncedMoves.Fall | AnnouncedMoves.Rise, f.Pending(175 * s, horizonNs)); // both its start and its end
        Assert.Equal(AnnouncedMoves.Rise, f.Pending(210 * s, horizonNs));    // inside it: its end brings the power back
    }

    [Fact]
    public void The_same_samples_give_the_same_prediction()
    {
        PeriodicPredictor a = Feed(TwoJobs, 200);
        PeriodicPredictor b = Feed(TwoJobs, 200);
        var pa = new double[600];
        var pb = new double[600];
        a.Predict(pa, 0.1);
        b.Predict(pb, 0.1);
        Assert.Equal(pa, pb);
    }

    [Fact]
    public void Add_update_and_predict_allocate_nothing()
    {
        PeriodicPredictor p = Feed(TwoJobs, 200);
        var f = new LoadForecast(p);
        f.Announce(new AnnouncedPhase("x", PhaseKind.JobEnd, 0, 500_000_000_000, 1_000, 0, 0));
        var predicted = new double[600];
        f.Predict(200_000_000_000, predicted, 0.1);
        // Several passes, the least counted: the runtime may charge one-time tiered-JIT/OSR bookkeeping to this thread in
        // one of them (CI saw 7 920 B once); an allocation of the calls themselves shows in all.
        int pass = 0;
        Action measured = () =>
        {
            for (long k = 20_000 + (pass * 500); k < 20_500 + (pass * 500); k++)
            {
                p.Add(k * PeriodNs, TwoJobs(k * PeriodNs * 1e-9));
            }

            p.Update();
            f.Predict(205_000_000_000 + (pass * 5_000_000_000L), predicted, 0.1);
            pass++;
        };
        long allocated = SteadyAllocations.PerPassMinimum(measured);
        Assert.Equal(0, allocated);
    }
}
