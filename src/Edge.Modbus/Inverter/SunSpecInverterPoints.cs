using Edge.Modbus.SunSpec;

namespace Edge.Modbus.Inverter;

/// <summary>
/// The models and points <see cref="SunSpecInverter"/> uses on one device, resolved once after discovery so the
/// worker's loops never look names up. Requires 701 and a control model (704 preferred, else 124).
/// </summary>
internal sealed class SunSpecInverterPoints
{
    public SunSpecInverterPoints(SunSpecMap map)
    {
        SunSpecModelInstance measure = map.Find(SunSpecModels.DerMeasureAc)
            ?? throw new InvalidOperationException($"the device has no SunSpec model 701 (DER AC measurement): {map}");
        Measure = new SunSpecBlock(measure);
        SunSpecModelDefinition m = Measure.Definition;
        W = m["W"];
        InvSt = m["InvSt"];
        Alrm = m["Alrm"];
        MeasureReadLength = m["MnAlrmInfo"].Offset; // every numeric point and scale factor, not the alarm text

        if (map.Find(SunSpecModels.DerControlAc) is { } control)
        {
            Control = new SunSpecBlock(control);
            WSetAddress = control.AddressOf("WSet");
        }
        else if (map.Find(SunSpecModels.Storage) is { } storage)
        {
            Storage = new SunSpecBlock(storage);
            SunSpecModelDefinition s = Storage.Definition;
            OutWRteAddress = storage.AddressOf("OutWRte");
            ChaState = s["ChaState"];
            StorChaSt = s["ChaSt"];
            WChaMax = s["WChaMax"];
        }
        else
        {
            throw new InvalidOperationException($"the device has neither SunSpec model 704 (DER AC controls) nor 124 (storage): {map}");
        }

        if (map.Find(SunSpecModels.Battery) is { } battery)
        {
            Battery = new SunSpecBlock(battery);
            SunSpecModelDefinition b = Battery.Definition;
            BatSoC = b["SoC"];
            SoCMax = b["SoCMax"];
            SoCMin = b["SoCMin"];
            WChaRteMax = b["WChaRteMax"];
            WDisChaRteMax = b["WDisChaRteMax"];
            BatWHRtg = b["WHRtg"];
            ChaSt = b["ChaSt"];
            LocRemCtl = b["LocRemCtl"];
            BatState = b["State"];
            Hb = b["Hb"];
            CtrlHb = b["CtrlHb"];
        }

        if (map.Find(SunSpecModels.DerStorageCapacity) is { } capacity)
        {
            Capacity = new SunSpecBlock(capacity);
            SunSpecModelDefinition c = Capacity.Definition;
            CapSoC = c["SoC"];
            CapWHRtg = c["WHRtg"];
            CapSta = c["Sta"];
        }
    }

    public SunSpecBlock Measure { get; }
    public int MeasureReadLength { get; }
    public SunSpecPoint W { get; }
    public SunSpecPoint InvSt { get; }
    public SunSpecPoint Alrm { get; }

    public SunSpecBlock? Control { get; }
    public bool HasDerControl => Control is not null;
    public ushort WSetAddress { get; }

    public SunSpecBlock? Storage { get; }
    public ushort OutWRteAddress { get; }
    public SunSpecPoint? ChaState { get; }
    public SunSpecPoint? StorChaSt { get; }
    public SunSpecPoint? WChaMax { get; }

    public SunSpecBlock? Battery { get; }
    public bool HasBattery => Battery is not null;
    public SunSpecPoint? BatSoC { get; }
    public SunSpecPoint? SoCMax { get; }
    public SunSpecPoint? SoCMin { get; }
    public SunSpecPoint? WChaRteMax { get; }
    public SunSpecPoint? WDisChaRteMax { get; }
    public SunSpecPoint? BatWHRtg { get; }
    public SunSpecPoint? ChaSt { get; }
    public SunSpecPoint? LocRemCtl { get; }
    public SunSpecPoint? BatState { get; }
    public SunSpecPoint? Hb { get; }
    public SunSpecPoint? CtrlHb { get; }

    public SunSpecBlock? Capacity { get; }
    public SunSpecPoint? CapSoC { get; }
    public SunSpecPoint? CapWHRtg { get; }
    public SunSpecPoint? CapSta { get; }
}
