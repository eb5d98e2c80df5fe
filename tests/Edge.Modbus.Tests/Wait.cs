using System.Diagnostics;

namespace Edge.Modbus.Tests;

/// <summary>Waiting on conditions with a timeout (never a bare sleep as synchronisation).</summary>
internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until true or the timeout passes; returns its last value.</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return condition();
            }

            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Asserts that <paramref name="condition"/> becomes true within the timeout.</summary>
    public static void For(Func<bool> condition, TimeSpan timeout, Func<string> because)
    {
        if (!Until(condition, timeout))
        {
            Assert.Fail($"Timed out after {timeout.TotalSeconds:F1} s: {because()}");
        }
    }
}
