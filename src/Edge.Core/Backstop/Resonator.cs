namespace Edge.Core.Backstop;

/// <summary>
/// A constant-peak-gain band-pass biquad (RBJ) at <c>centreHz</c> with quality <c>q</c>, followed by an exponential
/// mean square of its output. Allocation-free.
/// </summary>
internal sealed class Resonator
{
    private readonly double _b0, _a1, _a2, _alpha;
    private double _x1, _x2, _y1, _y2;
    private bool _primed;

    public Resonator(double centreHz, double q, double rateHz, double alpha)
    {
        double w0 = 2 * Math.PI * centreHz / rateHz;
        double a = Math.Sin(w0) / (2 * q);
        double a0 = 1 + a;
        _b0 = a / a0;
        _a1 = -2 * Math.Cos(w0) / a0;
        _a2 = (1 - a) / a0;
        _alpha = alpha;
        CentreHz = centreHz;
    }

    public double CentreHz { get; }

    public double MeanSquare { get; private set; }

    public void Step(double x)
    {
        if (!_primed)
        {
            // Start in steady state on the first value (a band-pass passes no DC): no ringing from the offset.
            _primed = true;
            _x1 = _x2 = x;
        }

        // b1 = 0, b2 = -b0 for the band-pass.
        double y = (_b0 * (x - _x2)) - (_a1 * _y1) - (_a2 * _y2);
        _x2 = _x1;
        _x1 = x;
        _y2 = _y1;
        _y1 = y;
        MeanSquare += _alpha * ((y * y) - MeanSquare);
    }
}
