namespace Edge.Mqtt.Commands;

/// <summary>One operator (broker account) as the command processor sees it: its own rate limits, reply topics and
/// the rejections it was not answered for since the last summary.</summary>
internal sealed class OperatorState
{
    private readonly string[] _replyTopics;

    public OperatorState(string name, Func<string, string> replyTopic, CommandOptions options, TimeProvider time)
    {
        Name = name;
        ReplyTopic = replyTopic;
        Commands = new TokenBucket(options.RatePerS, options.Burst, time);
        Rejects = new TokenBucket(options.RejectRepliesPerS, options.RejectBurst, time);
        _replyTopics = [replyTopic("mode"), replyTopic("limits"), replyTopic("ack"), replyTopic("site-limit")];
    }

    /// <summary>The broker user name (the topic level after <c>cmd/</c>).</summary>
    public string Name { get; }

    /// <summary>Builds <c>…/reply/{operator}/{name}</c>.</summary>
    public Func<string, string> ReplyTopic { get; }

    /// <summary>Every message of this operator takes a token.</summary>
    public TokenBucket Commands { get; }

    /// <summary>Every answered rejection takes a token; without one the rejection is only counted.</summary>
    public TokenBucket Rejects { get; }

    /// <summary>Rejections not answered since the last summary.</summary>
    public long Suppressed { get; set; }

    /// <summary>The last of them.</summary>
    public string? LastSuppressed { get; set; }

    /// <summary>
    /// Nothing to remember: both buckets full again and no unanswered rejection to summarise — a new state for this
    /// name would be the same, so the table may forget it (and an attacker gains nothing by new names).
    /// </summary>
    public bool Idle => Suppressed == 0 && Commands.IsFull && Rejects.IsFull;

    /// <summary>The reply topic of a known command.</summary>
    public string Reply(CommandKind kind) => _replyTopics[(int)kind];
}
