using System.Diagnostics;

namespace Edge.Rig.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes — the tests' only way to wait (never a bare sleep).</summary>
internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> every few ms; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? context = null)
    {
        if (!TryUntil(condition, timeout))
        {
            Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{(context is null ? "" : Environment.NewLine + context())}");
        }
    }

    /// <summary>Polls <paramref name="condition"/>; false when <paramref name="timeout"/> passed first.</summary>
    public static bool TryUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(2); // poll interval, not synchronisation: the condition decides
        }

        return true;
    }
}
