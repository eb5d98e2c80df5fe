using System.Globalization;
using System.Text;
using Edge.Replay;

namespace Edge.Tests;

public class TraceReaderTests
{
    private static readonly TraceReadOptions Defaults = new();

    [Fact]
    public void Reads_seconds_and_power_columns_by_name()
    {
        Trace t = TraceReader.Parse("time_s,power_w\n0,100\n0.5,150\n1.0,90\n", "a.csv", Defaults);
        Assert.Equal([0, 0.5, 1.0], t.TimeS);
        Assert.Equal([100, 150, 90], t.PowerW);
        Assert.Equal(2, t.NativeSampleRateHz, 9);
        Assert.Equal("csv", t.Format);
    }

    [Fact]
    public void Reads_iso_dates_relative_to_the_first_row_and_kw_columns()
    {
        Trace t = TraceReader.Parse("datetime,load_kw\n2025-07-27 00:34:45.155,1.5\n2025-07-27 00:34:45.255,2\n2025-07-27T00:34:46.155Z,3\n", "b.csv", Defaults);
        Assert.Equal(0, t.TimeS[0]);
        Assert.Equal(0.1, t.TimeS[1], 9);
        Assert.Equal(1.0, t.TimeS[2], 9);
        Assert.Equal([1500, 2000, 3000], t.PowerW);
    }

    [Fact]
    public void Prefers_a_numeric_seconds_column_over_a_date_column_and_honours_power_scale()
    {
        Trace t = TraceReader.Parse("datetime,power_watts,time_seconds\nx,1,0\ny,2,0.1\n", "c.csv", new TraceReadOptions(PowerScale: 1000));
        Assert.Equal([0, 0.1], t.TimeS);
        Assert.Equal([1000, 2000], t.PowerW);
    }

    [Fact]
    public void Resampling_is_a_zero_order_hold()
    {
        Trace t = TraceReader.Parse("t,power\n0,10\n0.25,20\n1.0,30\n", "d.csv", Defaults);
        double[] r = t.Resample(0.1);
        Assert.Equal([10, 10, 10, 20, 20, 20, 20, 20, 20, 20, 30], r);
    }

    /// <summary>An nvidia-smi log as `--query-gpu=timestamp,power.draw,utilization.gpu,memory.used --format=csv -lms 100` writes it.</summary>
    private static string NvidiaLog(int gpus, int polls, Func<int, int, double> powerW, int partialPoll = -1, bool truncateLastLine = false)
    {
        var sb = new StringBuilder("timestamp, power.draw [W], utilization.gpu [%], memory.used [MiB]\n");
        var start = new DateTime(2025, 7, 27, 0, 34, 45, 155);
        for (int p = 0; p < polls; p++)
        {
            int rows = p == partialPoll ? gpus - 1 : gpus;
            for (int g = 0; g < rows; g++)
            {
                DateTime ts = start.AddMilliseconds((p * 100) + (g * 3));
                sb.Append(CultureInfo.InvariantCulture, $"{ts:yyyy/MM/dd HH:mm:ss.fff}, {powerW(p, g):F2} W, 97 %, 70000 MiB\n");
            }
        }

        if (truncateLastLine)
        {
            sb.Append("2025");
        }

        return sb.ToString();
    }

    [Fact]
    public void Nvidia_smi_logs_are_grouped_into_polls_and_summed()
    {
        string log = NvidiaLog(8, 50, (p, g) => 100 + g + (p % 2 == 0 ? 0 : 300));
        Trace t = TraceReader.Parse(log, "gpus.csv", Defaults);
        Assert.Equal("nvidia-smi", t.Format);
        Assert.Equal(50, t.PowerW.Length);
        Assert.Equal((8 * 100) + 28, t.PowerW[0], 6);
        Assert.Equal((8 * 400) + 28, t.PowerW[1], 6);
        Assert.Equal(0.1, t.TimeS[1], 6);
        Assert.Equal(10, t.NativeSampleRateHz, 6);
        Assert.Contains(t.Warnings, w => w.Contains("8 GPUs per poll", StringComparison.Ordinal));
    }

    [Fact]
    public void A_partial_poll_keeps_the_missing_gpus_previous_value_and_a_cut_last_line_is_skipped()
    {
        string log = NvidiaLog(4, 20, (p, g) => 50 + (10 * g) + p, partialPoll: 7, truncateLastLine: true);
        Trace t = TraceReader.Parse(log, "gpus.csv", Defaults);
        Assert.Equal(20, t.PowerW.Length);
        // Poll 7 lacks GPU 3: it keeps its poll-6 value (50 + 30 + 6).
        Assert.Equal((50 + 7) + (60 + 7) + (70 + 7) + (80 + 6), t.PowerW[7], 6);
        Assert.Contains(t.Warnings, w => w.Contains("1 of 20 polls were partial", StringComparison.Ordinal));
        Assert.Contains(t.Warnings, w => w.Contains("cut short", StringComparison.Ordinal));
    }

    [Fact]
    public void An_index_column_identifies_gpus_exactly()
    {
        var sb = new StringBuilder("index, timestamp, power.draw [W]\n");
        for (int p = 0; p < 5; p++)
        {
            for (int g = 0; g < 2; g++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{g}, 2025/01/01 00:00:{p:00}.000, {100 * (g + 1)} W\n");
            }
        }

        Trace t = TraceReader.Parse(sb.ToString(), "idx.csv", Defaults);
        Assert.Equal(5, t.PowerW.Length);
        Assert.All(t.PowerW, v => Assert.Equal(300, v));
    }

    [Theory]
    [InlineData("time_s,power_w\n0,100\n0.1,abc\n", "bad.csv:3:2: column 2 ('power_w')")]
    [InlineData("time_s,power_w\n0,100\nnope,5\n", "bad.csv:3:1: column 1 ('time_s')")]
    [InlineData("time_s,power_w\n0,100\n0.1\n0.2,3\n", "bad.csv:3: expected 2 fields")]
    [InlineData("time_s,power_w\n1,100\n0.5,100\n", "time goes backwards")]
    [InlineData("", "empty")]
    [InlineData("time_s,power_w\n0,1\n", "at least two data rows")]
    [InlineData("when,what\n0,1\n1,2\n", "no time column")]
    [InlineData("time_s,power_w\n0,NaN\n1,2\n", "at least two data rows are needed, found 1 (1 more had no power value)")]
    [InlineData("time_s,rack1_w,rack2_kw\n0,1,2\n1,2,3\n", "several power columns (rack1_w, rack2_kw): pick one with --power-column rack1_w, or sum them with --power-column rack1_w+rack2_kw")]
    [InlineData("time_s;power_w\n0;1\n1;2,5x\n", "bad.csv:3:2: column 2 ('power_w')")]
    [InlineData("time_s,power_w\n0,100\n0.01,-1e300\n0.02,100\n", "bad.csv:3:2: column 2 ('power_w'): '-1e300' is -1E+300 W, beyond the 1E+10 W (10 GW)")]
    [InlineData("time_s,power_w\n0,100\n0.01,1e300\n0.02,100\n", "bad.csv:3:2: column 2 ('power_w'): '1e300' is 1E+300 W, beyond")]
    [InlineData("time_s,power_mw\n0,100\n0.01,20000\n", "bad.csv:3:2: column 2 ('power_mw'): '20000' is 2E+10 W, beyond")]
    [InlineData("time_s,power_kw,power_w\n0,1,100\n1,1,100\n", "bad.csv:1: two power columns (power_kw, power_w) hold the same quantity in different units")]
    [InlineData("time_s,Power [kW],power\n0,1,100\n1,1,100\n", "bad.csv:1: two power columns (Power [kW], power)")]
    [InlineData("time_s,power_w,power_w\n0,1,100\n1,1,100\n", "bad.csv:1:3: column 3 ('power_w'): the header names this column twice (columns 2 and 3)")]
    [InlineData("t,time_s,power_w,power_w\n0,0,1,100\n1,1,1,100\n", "bad.csv:1:4: column 4 ('power_w'): the header names this column twice (columns 3 and 4)")]
    [InlineData("time_s,power_w\n0,100\n0.01,100,5\n0.02,100\n", "bad.csv:3: expected 2 fields as in the header, found 3")]
    [InlineData("time_s,power_w\n0,100\n0.01,100\n0.01,100\n0.02,100\n", "bad.csv:4:1: column 1 ('time_s'): time does not advance ('0.01' again)")]
    public void Broken_files_name_file_line_and_column(string text, string expected)
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceReader.Parse(text, "bad.csv", Defaults));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Semicolon_exports_with_decimal_commas_and_a_byte_order_mark_are_read()
    {
        Trace t = TraceReader.Parse("\uFEFFTime;Power [kW]\r\n0,0;1,5\r\n0,5;2,25\r\n1,0;\"3,0\"\r\n", "eu.csv", Defaults);
        Assert.Equal([0, 0.5, 1.0], t.TimeS);
        Assert.Equal([1500, 2250, 3000], t.PowerW);
    }

    [Fact]
    public void Tab_separated_files_and_quoted_fields_holding_the_delimiter_are_read()
    {
        Trace t = TraceReader.Parse("note\ttime_s\tpower_w\n\"a\tb\"\t0\t10\n\"say \"\"hi\"\"\"\t2\t20\n", "tab.csv", Defaults);
        Assert.Equal([0, 2], t.TimeS);
        Assert.Equal([10, 20], t.PowerW);
    }

    [Theory]
    [InlineData("ts", 1_700_000_000_000.0, 50.0, 0.05, "milliseconds")]
    [InlineData("ts", 1_700_000_000_000_000.0, 50_000.0, 0.05, "microseconds")]
    [InlineData("epoch", 1_700_000_000_000_000_000.0, 50_000_000.0, 0.05, "nanoseconds")]
    [InlineData("time_ms", 1000.0, 50.0, 0.05, null)]
    [InlineData("timestamp [us]", 0.0, 250_000.0, 0.25, null)]
    [InlineData("time", 1_700_000_000.0, 0.5, 0.5, null)]
    public void Numeric_times_are_scaled_by_the_unit_in_the_name_or_by_epoch_magnitude(string column, double first, double step, double expectedStepS, string? warned)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{column},power_w\n{first:R},1\n{first + step:R},2\n{first + (2 * step):R},3\n");
        Trace t = TraceReader.Parse(text, "e.csv", Defaults);
        Assert.Equal(expectedStepS, t.TimeS[1], 6);
        Assert.Equal(2 * expectedStepS, t.TimeS[2], 6);
        if (warned is null)
        {
            Assert.DoesNotContain(t.Warnings, w => w.Contains("Unix-epoch", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(t.Warnings, w => w.Contains("Unix-epoch " + warned, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Several_power_columns_are_summed_on_request_each_in_its_own_unit()
    {
        Trace t = TraceReader.Parse("time_s,rack1_w,rack2_kw,gpu_util\n0,100,0.5,97\n1,200,1.5,40\n", "sum.csv", new TraceReadOptions(PowerColumn: "rack1_w + rack2_kw"));
        Assert.Equal([600, 1700], t.PowerW);

        Trace named = TraceReader.Parse("time_s,gpu+cpu_w,rack_w\n0,5,7\n1,6,8\n", "plus.csv", new TraceReadOptions(PowerColumn: "gpu+cpu_w"));
        Assert.Equal([5, 6], named.PowerW);
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceReader.Parse("time_s,a_w,b_w\n0,1,2\n1,2,3\n", "x.csv", new TraceReadOptions(PowerColumn: "a_w+c_w")));
        Assert.Contains("no column named 'c_w'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_with_a_missing_power_are_skipped_with_one_warning_and_the_previous_value_holds()
    {
        Trace t = TraceReader.Parse("time_s,power_w\n0,10\n1,\n2,NaN\n3,[N/A]\n4,40\n", "gap.csv", Defaults);
        Assert.Equal([0, 4], t.TimeS);
        Assert.Equal([10, 40], t.PowerW);
        string warning = Assert.Single(t.Warnings, w => w.Contains("no power value", StringComparison.Ordinal));
        Assert.Contains("3 row(s)", warning, StringComparison.Ordinal);
        Assert.Contains("gap.csv:3", warning, StringComparison.Ordinal);
        Assert.Equal([10, 10, 10, 10, 40], t.Resample(1.0));
    }

    [Fact]
    public void An_nvidia_smi_n_a_reading_makes_a_partial_poll_not_an_error()
    {
        string log = NvidiaLog(2, 10, (p, g) => 100 + (10 * g) + p).Replace(", 113.00 W,", ", [N/A],", StringComparison.Ordinal);
        Assert.Contains("[N/A]", log, StringComparison.Ordinal);
        Trace t = TraceReader.Parse(log, "gpus.csv", Defaults);
        Assert.Equal(10, t.PowerW.Length);
        Assert.Equal(103 + 112, t.PowerW[3], 6);
    }

    [Fact]
    public void Power_within_the_plausible_range_and_unrelated_columns_named_with_a_power_unit_are_still_read()
    {
        // 10 GW exactly, zero, and an nvidia-smi-like power.limit beside power.draw are not ambiguous.
        Trace t = TraceReader.Parse("time_s,power_w,power_limit_w,status,status\n0,1e10,5,a,b\n1,0,5,a,b\n", "ok.csv", Defaults);
        Assert.Equal([1e10, 0], t.PowerW);
    }

    [Fact]
    public void Summed_power_columns_beyond_the_plausible_range_are_refused()
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() =>
            TraceReader.Parse("time_s,a_w,b_w\n0,1,2\n1,6e9,6e9\n", "bad.csv", new TraceReadOptions(PowerColumn: "a_w+b_w")));
        Assert.StartsWith("bad.csv:3: the power columns sum to 1.2E+10 W, beyond the 1E+10 W (10 GW)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_nvidia_smi_poll_may_repeat_a_timestamp()
    {
        Trace t = TraceReader.Parse("timestamp, index, power.draw [W]\n2025/01/01 00:00:00.000, 0, 100 W\n2025/01/01 00:00:00.000, 1, 50 W\n2025/01/01 00:00:00.100, 0, 100 W\n2025/01/01 00:00:00.100, 1, 60 W\n", "n.csv", Defaults);
        Assert.Equal([150, 160], t.PowerW);
    }

    [Fact]
    public void A_fifo_or_device_is_refused_without_being_opened_and_a_directory_is_named_so()
    {
        string dir = Directory.CreateTempSubdirectory("edge-trace-").FullName;
        try
        {
            string fifo = Edge.Tests.Shared.SpecialFiles.Fifo(dir, "f.csv");
            var open = Task.Run(() => Assert.Throws<TraceFormatException>(() => TraceReader.Open(fifo, Defaults)));
            Assert.True(open.Wait(TimeSpan.FromSeconds(20)), "opening a FIFO blocked");
            Assert.Contains("f.csv: is a named pipe (FIFO), not a regular file", open.Result.Message, StringComparison.Ordinal);
            Assert.Contains("/dev/zero: is a device, not a regular file", Assert.Throws<TraceFormatException>(() => TraceReader.Open("/dev/zero", Defaults)).Message, StringComparison.Ordinal);
            Assert.Contains(": is a directory, not a file", Assert.Throws<TraceFormatException>(() => TraceReader.Open(dir, Defaults)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceReader.Read("/nonexistent/x.csv", Defaults));
        Assert.Contains("/nonexistent/x.csv", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "a_w+a_w", "names the column 'a_w' twice")]
    [InlineData(null, "a_w+A_W", "names the column 'a_w' twice")]
    [InlineData(null, "a_w+", "an empty term")]
    [InlineData(null, "+a_w", "an empty term")]
    [InlineData(null, "a_w++b_w", "an empty term")]
    [InlineData(null, "time_s", "is the time column")]
    [InlineData(null, "a_w+time_s", "is the time column")]
    [InlineData("a_w", "a_w", "is the time column")]
    public void A_power_column_that_doubles_a_column_is_empty_or_is_the_time_column_is_refused(string? time, string power, string said)
    {
        // Each of these read without complaint: a_w+a_w doubled the load, a_w+ dropped the empty term, and the time
        // column read as power replayed the clock.
        TraceFormatException e = Assert.Throws<TraceFormatException>(() =>
            TraceReader.Parse("time_s,a_w,b_w\n0,1,2\n1,2,3\n", "x.csv", new TraceReadOptions(TimeColumn: time, PowerColumn: power)));
        Assert.Contains("--power-column", e.Message, StringComparison.Ordinal);
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
    }
}
