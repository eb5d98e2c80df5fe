using System.Diagnostics;
using Edge.Modbus.Threading;

namespace Edge.Modbus.Tests;

/// <summary>The latest-value mailbox and its wake-up between the control thread and an I/O worker.</summary>
public sealed class MailboxTests
{
    [Fact]
    public void The_futex_path_is_used_on_Linux()
    {
        using var signal = new WakeSignal();
        Assert.Equal(OperatingSystem.IsLinux(), signal.UsesFutex);
    }

    [Fact]
    public void A_post_wakes_a_waiting_worker_at_once_and_only_the_newest_value_is_taken()
    {
        using var mailbox = new SetpointMailbox();
        using var taken = new ManualResetEventSlim();
        double seen = double.NaN;
        long wokeAfterTicks = 0;
        long postedTicks = 0;
        var worker = new Thread(() =>
        {
            mailbox.Wait(10_000);
            wokeAfterTicks = Stopwatch.GetTimestamp() - Volatile.Read(ref postedTicks);
            if (mailbox.TryTake(out double w, out _))
            {
                seen = w;
            }

            taken.Set();
        });
        worker.Start();
        Thread.Sleep(50); // let the worker block (the assertion below does not depend on it)
        Volatile.Write(ref postedTicks, Stopwatch.GetTimestamp());
        mailbox.Post(42, 1);
        Assert.True(taken.Wait(TimeSpan.FromSeconds(5)), "the worker was not woken");
        Assert.Equal(42, seen);
        // Woken by the post, not by the 10 s timeout: the bound sits halfway, far from both on a loaded machine.
        Assert.True(wokeAfterTicks * 1000.0 / Stopwatch.Frequency < 5000, "woken by the post, not by the 10 s timeout");

        mailbox.Post(1, 1);
        mailbox.Post(2, 2);
        mailbox.Post(3, 3);
        Assert.True(mailbox.TryTake(out double newest, out long ns));
        Assert.Equal(3, newest);
        Assert.Equal(3, ns);
        Assert.False(mailbox.TryTake(out _, out _));
    }

    [Fact]
    public void A_reader_never_sees_a_torn_value()
    {
        var cell = new SeqLockValue<(long A, long B, long C)>();
        using var stop = new CancellationTokenSource();
        using var writing = new ManualResetEventSlim();
        var writer = new Thread(() =>
        {
            for (long i = 1; !stop.IsCancellationRequested; i++)
            {
                cell.Write((i, -i, i * 3));
                if (i == 1)
                {
                    writing.Set();
                }
            }
        });
        writer.Start();

        // Start barrier: the 300 ms of reading begin once the writer has written (on a loaded machine the thread may
        // start late; a timer started before it could expire with nothing written and nothing read).
        Assert.True(writing.Wait(TimeSpan.FromSeconds(30)), "the writer thread did not start");
        stop.CancelAfter(TimeSpan.FromMilliseconds(300));
        long reads = 0, torn = 0;
        while (!stop.IsCancellationRequested)
        {
            if (cell.TryRead(out (long A, long B, long C) v))
            {
                reads++;
                if (v.B != -v.A || v.C != 3 * v.A)
                {
                    torn++;
                }
            }
        }

        writer.Join();
        Assert.True(reads > 0);
        Assert.Equal(0, torn);
    }
}
