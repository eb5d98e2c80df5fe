namespace Edge.Mqtt.Sparkplug;

/// <summary>Sparkplug node counters.</summary>
/// <param name="Births">NBIRTH messages queued (connections + rebirths).</param>
/// <param name="Data">NDATA messages queued.</param>
/// <param name="Rebirths">Rebirth requests honoured.</param>
/// <param name="BdSeq">bdSeq of the current (or last) connection.</param>
/// <param name="Seq">seq of the last message.</param>
/// <param name="DeviceBirths">DBIRTH messages queued.</param>
/// <param name="DeviceData">DDATA messages queued.</param>
/// <param name="DeviceDeaths">DDEATH messages queued.</param>
/// <param name="HostOfflineDisconnects">Sessions ended because the primary host application went offline.</param>
public readonly record struct SparkplugCounters(long Births, long Data, long Rebirths, int BdSeq, int Seq, long DeviceBirths = 0, long DeviceData = 0, long DeviceDeaths = 0, long HostOfflineDisconnects = 0);
