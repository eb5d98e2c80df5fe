using System.Diagnostics;
using Edge.Modbus.Client;
using Edge.Modbus.SunSpec;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// Polls one inverter's own AC power (SunSpec 701 <c>W</c>) and effective setpoint (704 <c>WSet</c>, 0 when <c>WSetEna</c> = 0) every 20 ms over its own
/// Modbus connection, independently of Edge: the battery power as the device measures it. A device that does not
/// answer (SIGSTOP, SIGKILL) leaves a gap.
/// </summary>
internal sealed class InverterPoller : IDisposable
{
    private readonly List<(double T, double W, double WSet, long UnixMs)> _samples = [];
    private readonly Thread _thread;
    private readonly Stopwatch _clock;
    private readonly int _port;
    private volatile bool _stop;

    public InverterPoller(int port, Stopwatch clock)
    {
        _port = port;
        _clock = clock;
        _thread = new Thread(Run) { IsBackground = true, Name = $"poll-{port}" };
        _thread.Start();
    }

    /// <summary>
    /// (seconds on the scenario clock, 701 W, 704 WSet, the wall clock in Unix ms — comparable with Edge's own stamps
    /// on the same machine) so far. Both stamps are taken after the reads.
    /// </summary>
    public List<(double T, double W, double WSet, long UnixMs)> Samples()
    {
        lock (_samples)
        {
            return [.. _samples];
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        using var client = new ModbusTcpClient(new ModbusClientOptions { Host = "127.0.0.1", Port = _port, RequestTimeoutMs = 200, ConnectTimeoutMs = 500 });
        SunSpecBlock? measure = null, control = null;
        while (!_stop)
        {
            if (measure is null && client.TryConnect() && SunSpecDiscovery.TryDiscover(client, 1, out SunSpecMap? map, out _))
            {
                measure = new SunSpecBlock(map!.Find(SunSpecModels.DerMeasureAc)!);
                control = new SunSpecBlock(map.Find(SunSpecModels.DerControlAc)!);
            }

            if (measure is not null && control is not null
                && measure.Refresh(client, 1, 0, measure.Definition["MnAlrmInfo"].Offset).IsOk && control.Refresh(client, 1).IsOk
                && measure.TryRead("W", out double w) && control.TryRead("WSet", out double wset))
            {
                // The effective setpoint: WSet while enabled, 0 W when WSetEna = 0 (disabled: the device goes to 0 W).
                if (control.TryRead("WSetEna", out double enabled) && enabled == 0)
                {
                    wset = 0;
                }

                lock (_samples)
                {
                    _samples.Add((_clock.Elapsed.TotalSeconds, w, wset, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                }
            }
            else if (!client.IsConnected)
            {
                client.TryConnect();
            }

            Thread.Sleep(20);
        }
    }
}
