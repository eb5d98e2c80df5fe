namespace Edge.Check;

/// <summary>The outcome of one <c>edge check</c> item.</summary>
public enum CheckVerdict
{
    /// <summary>As required.</summary>
    Pass,

    /// <summary>Works, but the operator should know (e.g. the device steps on its revert).</summary>
    Warn,

    /// <summary>Not usable as it is: <c>edge check</c> exits 1.</summary>
    Fail,

    /// <summary>Not checked (switched off, or not applicable to this device).</summary>
    Skip,
}
