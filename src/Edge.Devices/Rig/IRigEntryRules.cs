namespace Edge.Devices.Rig;

/// <summary>
/// The rules of the drivers that take a rig file's <c>inverters</c> and <c>meters</c> entries (they live with the
/// drivers, outside this assembly: register maps, the driver's own option checks). <see cref="RigLoader"/> applies them
/// in its third pass, so their faults join the same report as every other fault of the file.
/// </summary>
public interface IRigEntryRules
{
    /// <summary>The faults of an inverter entry (paths below <see cref="RigInverterEntry.Path"/>).</summary>
    IEnumerable<RigError> Check(RigInverterEntry entry);

    /// <summary>The faults of a meter entry (paths below <see cref="RigMeterEntry.Path"/>).</summary>
    IEnumerable<RigError> Check(RigMeterEntry entry);
}
