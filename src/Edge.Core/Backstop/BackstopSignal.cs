namespace Edge.Core.Backstop;

/// <summary>Which power a backstop rule watches.</summary>
public enum BackstopSignal
{
    /// <summary>The point of connection (what the grid sees).</summary>
    Grid,

    /// <summary>The racks' load.</summary>
    Load,
}
