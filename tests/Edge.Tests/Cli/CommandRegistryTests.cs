using Edge.Cli;

namespace Edge.Tests.Cli;

/// <summary>The dispatcher's answers to command lines that name no command: groups, typos, options first.</summary>
public sealed class CommandRegistryTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandRegistry.Run(args, new CommandContext(stdout, stderr, false, CancellationToken.None));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("sim", "sim inverter")]
    [InlineData("agent", "agent gpu")]
    [InlineData("bench", "bench mqtt")]
    public void A_groups_help_lists_its_commands_and_exits_0(string group, string member)
    {
        (int exit, string o, string err) = Run(group, "--help");
        Assert.Equal(0, exit);
        Assert.Contains(member, o, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown command", o + err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_alone_lists_its_commands_with_a_usage_exit()
    {
        (int exit, string _, string err) = Run("agent");
        Assert.Equal(2, exit);
        Assert.Contains("agent gpu", err, StringComparison.Ordinal);
        Assert.Contains("agent flex", err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_command_quotes_only_its_word_and_suggests_the_closest()
    {
        (int exit, string _, string err) = Run("runn", "--rig", "sim");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command 'runn'.", err, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'run'?", err, StringComparison.Ordinal);
        Assert.DoesNotContain("--rig", err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_subcommand_of_a_group_is_quoted_with_its_group_and_the_closest()
    {
        (int exit, string _, string err) = Run("sim", "invertr", "--port", "1502");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command 'sim invertr'.", err, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'sim inverter'?", err, StringComparison.Ordinal);
        Assert.DoesNotContain("1502", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_far_from_every_command_gets_no_suggestion()
    {
        (int exit, string _, string err) = Run("xyzzyq");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command 'xyzzyq'.", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", err, StringComparison.Ordinal);
    }

    /// <summary>A command that fails in a way it did not foresee.</summary>
    private sealed class Throwing(Exception e) : ICommand
    {
        public string Name => "boom";

        public string Summary => "throws";

        public string Usage => "edge boom";

        public IReadOnlySet<string> Switches { get; } = new HashSet<string>();

        public int Run(CommandArgs args, CommandContext context) => throw e;
    }

    [Fact]
    public void An_unexpected_exception_in_a_command_is_one_line_and_exit_1_not_a_stack_trace()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandRegistry.Dispatch(new Throwing(new InvalidOperationException("the widget broke")), [], new CommandContext(stdout, stderr, false, CancellationToken.None));
        Assert.Equal(1, exit);
        string err = stderr.ToString();
        Assert.Equal("edge boom: internal error: the widget broke (InvalidOperationException)" + Environment.NewLine, err);
    }

    [Fact]
    public void A_usage_error_still_exits_2_beside_the_internal_error_handler()
    {
        var stderr = new StringWriter();
        int exit = CommandRegistry.Dispatch(new Throwing(new UsageException("--x: bad.")), [], new CommandContext(new StringWriter(), stderr, false, CancellationToken.None));
        Assert.Equal(2, exit);
        Assert.Equal("edge boom: --x: bad." + Environment.NewLine, stderr.ToString());
    }
}
