using Edge.Cli;

namespace Edge.Tests.Cli;

/// <summary>
/// <see cref="CommandArgs"/> against hostile command lines: durations beyond what a timer can count, an option whose
/// value is missing because the next word is another option, and a switch given a value.
/// </summary>
public sealed class CommandArgsTests
{
    private static readonly HashSet<string> Switches = new(StringComparer.Ordinal) { "quiet", "planner", "flex-load" };

    [Theory]
    [InlineData("20s", 20.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120.0)]
    [InlineData("1h", 3600.0)]
    [InlineData("1.5", 1.5)]
    [InlineData("1176h", 49 * 86400.0)]
    public void A_duration_up_to_the_limit_is_read(string text, double seconds)
    {
        Assert.Equal(seconds, CommandArgs.ParseDuration(text, "--duration").TotalSeconds, 9);
    }

    [Theory]
    [InlineData("1e12s")]
    [InlineData("1200h")]
    [InlineData("1177h")]
    [InlineData("4233601")]
    [InlineData("1e308h")]
    public void A_duration_longer_than_a_timer_can_count_is_refused_naming_the_limit(string text)
    {
        var e = Assert.Throws<UsageException>(() => CommandArgs.ParseDuration(text, "--duration"));
        Assert.Contains($"'{text}' is longer than the longest duration Edge can time, 49 days (1176h)", e.Message, StringComparison.Ordinal);
        Assert.Contains("omit --duration to run until stopped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_duration_is_one_every_timer_of_the_commands_accepts()
    {
        using var cts = new CancellationTokenSource(CommandArgs.MaxDuration); // agent gpu / agent flex / sim inverter
        cts.CancelAfter(CommandArgs.MaxDuration); // run
        Assert.False(cts.IsCancellationRequested);
    }

    [Theory]
    [InlineData("-1s")]
    [InlineData("NaN")]
    [InlineData("fast")]
    [InlineData("Infinity")]
    public void A_duration_that_is_not_one_is_refused(string text)
    {
        var e = Assert.Throws<UsageException>(() => CommandArgs.ParseDuration(text, "--duration"));
        Assert.Contains($"'{text}' is not a duration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_followed_by_another_option_has_no_value()
    {
        var e = Assert.Throws<UsageException>(() => new CommandArgs(["--config", "--rig", "sim"], Switches));
        Assert.Equal("Option --config needs a value, but the next word is the option '--rig' (to give a value that starts with --, write --config=VALUE).", e.Message);
    }

    [Fact]
    public void A_value_that_starts_with_two_dashes_can_be_given_with_an_equals_sign()
    {
        var args = new CommandArgs(["--config=--odd.json", "--rig", "-"], Switches);
        Assert.Equal("--odd.json", args.String("config"));
        Assert.Equal("-", args.String("rig"));
    }

    [Theory]
    [InlineData("--quiet=no", "quiet")]
    [InlineData("--planner=false", "planner")]
    [InlineData("--quiet=", "quiet")]
    public void A_switch_given_a_value_is_refused_not_counted_as_present(string word, string name)
    {
        var args = new CommandArgs([word], Switches);
        var e = Assert.Throws<UsageException>(() => args.Has(name));
        Assert.StartsWith($"Switch --{name} takes no value (got {word})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_without_a_value_is_present_and_one_not_given_is_absent()
    {
        var args = new CommandArgs(["--quiet"], Switches);
        Assert.True(args.Has("quiet"));
        Assert.False(args.Has("planner"));
        args.ThrowOnUnused();
    }

    [Fact]
    public void A_switch_that_may_carry_a_value_still_takes_one()
    {
        var args = new CommandArgs(["--flex-load=rated_frac=0.5"], Switches);
        Assert.True(args.SwitchWithValue("flex-load", out string? value));
        Assert.Equal("rated_frac=0.5", value);
    }
}
