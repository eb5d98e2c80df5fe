using Edge.Core;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Publishing;

/// <summary>What the publisher publishes and how often (configuration section <c>Mqtt:Publish</c>; names from <c>Edge</c>).</summary>
public sealed class EdgePublisherOptions
{
    /// <summary>Site name (<c>Edge:Site</c>), one topic level.</summary>
    public string Site { get; set; } = "site";

    /// <summary>Node name (<c>Edge:Node</c>), one topic level.</summary>
    public string Node { get; set; } = "node";

    /// <summary>State messages per second (windows aligned on loop time).</summary>
    public double StateRateHz { get; set; } = 10;

    /// <summary>Sensor and inverter detail messages per second.</summary>
    public double DetailRateHz { get; set; } = 1;

    /// <summary>QoS of state messages (1: they queue through broker outages within the outbox capacity).</summary>
    public MqttQualityOfServiceLevel StateQos { get; set; } = MqttQualityOfServiceLevel.AtLeastOnce;

    /// <summary>QoS of detail messages.</summary>
    public MqttQualityOfServiceLevel DetailQos { get; set; } = MqttQualityOfServiceLevel.AtMostOnce;

    /// <summary>An alarm clears only after its condition was absent this long, s (no chattering).</summary>
    public double AlarmClearDelayS { get; set; } = 2;

    /// <summary>
    /// Start-up grace, s: availability alarms (battery, inverters, sensors, site meter) whose condition is present
    /// while the devices connect after a start are raised only if it still holds when the grace ends.
    /// </summary>
    public double AlarmStartupGraceS { get; set; } = 10;

    /// <summary>
    /// On-delay of the device alarms (<c>inverter_unhealthy</c>, <c>sensor_unhealthy</c>), s: raised only once the
    /// device has been unhealthy this long without a break, so one transient (a Modbus request that timed out and the
    /// reconnect after it, a sensor read retried) is not an operator's alarm. The controller does not wait: it stops
    /// counting on the device at once (docs/faults.md).
    /// </summary>
    public double DeviceAlarmDelayS { get; set; } = 2;

    /// <summary>Minimum dwell, s: a raised alarm stays raised at least this long (no raise/clear pairs every few s).</summary>
    public double AlarmMinActiveS { get; set; } = 10;

    /// <summary>
    /// <c>loop_overrun</c> is raised when this many overruns fall within <see cref="OverrunAlarmWindowS"/> (a single
    /// late period under load is counted in <c>loop</c>, not paged) …
    /// </summary>
    public int OverrunAlarmCount { get; set; } = 5;

    /// <summary>… and, hysteresis, clears only after a whole window (plus the clear delay) without any overrun, s.</summary>
    public double OverrunAlarmWindowS { get; set; } = 10;

    /// <summary>How often the publisher thread looks for new records when idle, ms.</summary>
    public double PollIntervalMs { get; set; } = 5;

    /// <summary>Software version reported in the status message.</summary>
    public string Version { get; set; } = typeof(EdgePublisherOptions).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt:Publish")
    {
        var c = new OptionChecks(section);
        try
        {
            _ = new EdgeTopics(Site, Node);
        }
        catch (ArgumentException e)
        {
            c.Fail("Site/Node", $"{Site}/{Node}", e.Message);
        }

        c.Above(nameof(StateRateHz), StateRateHz, 0, 1000, "Hz");
        c.Above(nameof(DetailRateHz), DetailRateHz, 0, 100, "Hz");
        if (StateQos > MqttQualityOfServiceLevel.AtLeastOnce)
        {
            c.Fail(nameof(StateQos), StateQos.ToString(), "must be AtMostOnce or AtLeastOnce");
        }

        if (DetailQos > MqttQualityOfServiceLevel.AtLeastOnce)
        {
            c.Fail(nameof(DetailQos), DetailQos.ToString(), "must be AtMostOnce or AtLeastOnce");
        }

        c.Range(nameof(AlarmClearDelayS), AlarmClearDelayS, 0, 3600, "s");
        c.Range(nameof(AlarmStartupGraceS), AlarmStartupGraceS, 0, 600, "s");
        c.Range(nameof(AlarmMinActiveS), AlarmMinActiveS, 0, 3600, "s");
        c.Range(nameof(DeviceAlarmDelayS), DeviceAlarmDelayS, 0, 60, "s");
        c.Range(nameof(OverrunAlarmCount), OverrunAlarmCount, 1, 1000, "overruns");
        c.Range(nameof(OverrunAlarmWindowS), OverrunAlarmWindowS, 0, 3600, "s");
        c.Above(nameof(PollIntervalMs), PollIntervalMs, 0, 1000, "ms");
        return c.Errors;
    }
}
