namespace Edge.Check;

/// <summary>One line of the <c>edge check</c> table.</summary>
/// <param name="Item">What was checked ("inverter pcs1: latency").</param>
/// <param name="Verdict">PASS/WARN/FAIL/skip.</param>
/// <param name="Detail">The measured figures and, when not a pass, what to do.</param>
public sealed record CheckResult(string Item, CheckVerdict Verdict, string Detail);
