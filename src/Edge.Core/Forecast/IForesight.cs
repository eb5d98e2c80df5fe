namespace Edge.Core.Forecast;

/// <summary>
/// The load actually ahead, known in advance: replay's perfect foresight (<c>edge replay --planner-forecast
/// perfect</c>), which measures what a forecast is worth — the planner run with it is the ceiling any forecast or
/// announcement can reach on that trace. Never available to a running daemon.
/// </summary>
public interface IForesight
{
    /// <summary>
    /// Fills <paramref name="outputW"/>[k] with the mean load over <c>[nowNs + k·stepS, nowNs + (k + 1)·stepS)</c>
    /// (the same steps as <see cref="LoadForecast.Predict"/>); beyond the end of what is known, the last value known.
    /// No allocation.
    /// </summary>
    void Fill(long nowNs, Span<double> outputW, double stepS);
}
