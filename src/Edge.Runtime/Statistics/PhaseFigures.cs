namespace Edge.Runtime.Statistics;

/// <summary>Compute time and budget accounting of one phase.</summary>
/// <param name="Compute">Compute-time percentiles, ns.</param>
/// <param name="BudgetNs">The phase's budget, ns.</param>
/// <param name="BudgetOverruns">Executions that exceeded the budget.</param>
public readonly record struct PhaseFigures(HistogramSummary Compute, long BudgetNs, long BudgetOverruns);
