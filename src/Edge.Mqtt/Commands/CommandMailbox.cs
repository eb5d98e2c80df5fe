using Edge.Core.Control;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Hands validated commands to the control loop and their outcomes back, without the loop ever waiting. Two bounded
/// single-producer/single-consumer rings: commands (posted under a lock by the command processor, taken lock-free by
/// the loop between cycles) and outcomes (completed lock-free by the loop, read by the publisher thread). A command is
/// posted only while fewer than <c>capacity</c> are in flight, so the loop always finds room for its outcome.
/// Allocation-free after construction.
/// </summary>
public sealed class CommandMailbox : IControllerCommandSource
{
    private readonly EdgeCommand[] _commands;
    private readonly CommandOutcome[] _outcomes;
    private readonly object _postGate = new();
    private long _commandHead;
    private long _commandTail;
    private long _outcomeHead;
    private long _outcomeTail;
    private int _inFlight;

    /// <summary>Creates a mailbox holding at most <paramref name="capacity"/> commands in flight.</summary>
    public CommandMailbox(int capacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _commands = new EdgeCommand[capacity];
        _outcomes = new CommandOutcome[capacity];
    }

    /// <summary>Where <c>site-limit</c> requests go on the loop thread (null: refused as not available).</summary>
    public ISiteLimitHandler? SiteLimits { get; set; }

    /// <summary>Commands in flight at most.</summary>
    public int Capacity => _commands.Length;

    /// <summary>Commands posted and not yet reported back.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Posts a command (any thread). False when the mailbox is full (the caller rejects the command as busy).</summary>
    public bool TryPost(in EdgeCommand command)
    {
        lock (_postGate)
        {
            if (Volatile.Read(ref _inFlight) >= _commands.Length)
            {
                return false;
            }

            long tail = _commandTail;
            _commands[tail % _commands.Length] = command;
            Interlocked.Increment(ref _inFlight);
            Volatile.Write(ref _commandTail, tail + 1);
            return true;
        }
    }

    /// <summary>Takes the next command (the loop, between cycles; lock-free).</summary>
    public bool TryTake(out EdgeCommand command)
    {
        long head = _commandHead;
        if (head == Volatile.Read(ref _commandTail))
        {
            command = default;
            return false;
        }

        int slot = (int)(head % _commands.Length);
        command = _commands[slot];
        _commands[slot] = default;
        Volatile.Write(ref _commandHead, head + 1);
        return true;
    }

    /// <summary>Reports what became of a taken command (the loop; lock-free; never fails: room is reserved at post).</summary>
    public void Complete(in EdgeCommand command, string? error)
    {
        long tail = _outcomeTail;
        _outcomes[tail % _outcomes.Length] = new CommandOutcome(command, error);
        Volatile.Write(ref _outcomeTail, tail + 1);
    }

    /// <summary>Takes the next outcome (the publisher thread).</summary>
    public bool TryTakeOutcome(out CommandOutcome outcome)
    {
        long head = _outcomeHead;
        if (head == Volatile.Read(ref _outcomeTail))
        {
            outcome = default;
            return false;
        }

        int slot = (int)(head % _outcomes.Length);
        outcome = _outcomes[slot];
        _outcomes[slot] = default;
        Volatile.Write(ref _outcomeHead, head + 1);
        Interlocked.Decrement(ref _inFlight);
        return true;
    }

    /// <summary>
    /// Applies every pending command to the controller, each whole or not at all, and reports the outcomes. Call from
    /// the control thread between cycles; no lock, no allocation for valid commands. Mode and limit changes take
    /// effect through the controller's ramp limiter (<see cref="SmoothingController.TrySetMode"/>,
    /// <see cref="SmoothingController.TryApplyLimits"/>). Returns the number applied or refused.
    /// </summary>
    public int ApplyPending(SmoothingController controller)
    {
        int n = 0;
        while (TryTake(out EdgeCommand c))
        {
            if (c.Kind == CommandKind.SiteLimit)
            {
                string? refused = SiteLimits is { } handler ? handler.Accept(ref c.SiteLimit, controller) : "site-limit is not available on this node";
                Complete(c, refused);
                n++;
                continue;
            }

            string? error = c.Kind switch
            {
                // Standby requested while in fault is the operator clearing the fault (refused while its cause lasts).
                CommandKind.Mode when c.Mode == ControlMode.Standby && controller.Mode == ControlMode.Fault =>
                    controller.ClearFault() ? null : "the fault's cause is still active (E-stop pressed or deadline fault raised)",
                CommandKind.Mode => controller.TrySetMode(c.Mode),
                CommandKind.Limits => controller.TryApplyLimits(c.MergeInto(controller.Limits)),
                _ => "command kind is not applied by the control loop",
            };
            Complete(c, error);
            n++;
        }

        return n;
    }
}
