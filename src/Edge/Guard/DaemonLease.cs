using System.Diagnostics;
using System.Globalization;
using Edge.Modbus.Inverter;
using Microsoft.Extensions.Logging;

namespace Edge.Guard;

/// <summary>
/// The daemon's side of the ownership protocol (docs/guard.md). At start it takes the board (compare-and-swap to a new
/// epoch with owner = daemon); every inverter write is preceded by <see cref="IsHeld"/> (the word still holds that
/// epoch); every posted setpoint is a <see cref="Beat"/>. On a planned stop with a live guard it hands over
/// (<see cref="TryHandOver"/>) instead of ramping out, so a restart or an upgrade is bumpless.
/// </summary>
internal sealed class DaemonLease : IActuationLease, IDisposable
{
    private readonly OwnershipBoard _board;
    private readonly ILogger _log;
    private long _held;

    private DaemonLease(OwnershipBoard board, ILogger log)
    {
        _board = board;
        _log = log;
    }

    /// <inheritdoc />
    public bool IsHeld => _board.Word == Volatile.Read(ref _held);

    /// <summary>The board (tests, logs).</summary>
    public OwnershipBoard Board => _board;

    /// <summary>
    /// Opens the board in <paramref name="stateDirectory"/> and takes ownership from whoever held it (a dead daemon, or
    /// the guard, which stops writing as soon as it sees the new epoch).
    /// </summary>
    public static DaemonLease Take(string stateDirectory, ILogger log)
    {
        var lease = new DaemonLease(OwnershipBoard.Open(stateDirectory), log);
        lease.TakeNow();
        return lease;
    }

    private void TakeNow()
    {
        while (true)
        {
            long word = _board.Word;
            OwnershipBoard.Owner before = OwnershipBoard.OwnerOf(word);
            _board.DaemonPid = Environment.ProcessId;
            long taken = _board.TryTake(word, OwnershipBoard.Owner.Daemon);
            if (taken != 0)
            {
                _board.Handover = 0;
                Volatile.Write(ref _held, taken);
                bool guard = GuardAlive();
                _log.LogInformation("inverter ownership: epoch {Epoch} taken from {Before}; guard {Guard}", OwnershipBoard.EpochOf(taken),
                    before.ToString().ToLowerInvariant(), guard ? $"running (pid {_board.GuardPid})" : "not running");
                return;
            }
        }
    }

    /// <inheritdoc />
    public int SlotOf(string id) => _board.SlotOf(id);

    /// <inheritdoc />
    public void Beat(int slot, double setpointW)
    {
        if (IsHeld)
        {
            _board.Beat(slot, setpointW); // after a handover the loop's posts are never written: they must not reach the guard either
        }
    }

    /// <summary>
    /// Publishes the inverters the guard must take over: their slots on the board (before the drivers are created) and
    /// their Modbus endpoints in <see cref="GuardDevices.FileName"/> (written atomically).
    /// </summary>
    public void PublishDevices(IReadOnlyList<GuardDevice> devices, string stateDirectory)
    {
        _board.SetSlots(devices.Select(d => d.Id).ToList(), devices.Select(_ => 0.0).ToList());
        GuardDevices.Save(Path.Combine(stateDirectory, GuardDevices.FileName), devices);
    }

    /// <summary>The ramp limit the guard ramps the total battery power out at, W/s.</summary>
    public double RampWPerS
    {
        set => _board.RampWPerS = value;
    }

    /// <summary>True when a guard process is alive and ticking (its beat moves within 200 ms).</summary>
    public bool GuardAlive()
    {
        if (!GuardNative.IsAlive(_board.GuardPid))
        {
            return false;
        }

        long beat = _board.GuardBeat;
        var wait = Stopwatch.StartNew();
        while (wait.ElapsedMilliseconds < 200)
        {
            if (_board.GuardBeat != beat)
            {
                return true;
            }

            Thread.Sleep(5);
        }

        return false;
    }

    /// <summary>
    /// Planned stop: when a guard is alive, hands the inverters over to it (it holds their power, then ramps out unless a
    /// new daemon takes over first). True when handed over: this process must not write to the inverters any more.
    /// </summary>
    public bool TryHandOver()
    {
        long held = Volatile.Read(ref _held);
        if (!GuardAlive())
        {
            return false;
        }

        _board.Handover = 1;
        long next = _board.TryTake(held, OwnershipBoard.Owner.Guard);
        if (next == 0)
        {
            _board.Handover = 0;
            _log.LogWarning("inverter ownership was already lost (epoch {Epoch}): nothing to hand over", OwnershipBoard.EpochOf(_board.Word));
            return false;
        }

        int guardPid = _board.GuardPid;
        string hold = _board.GuardHoldSOf(guardPid) is { } holdS
            ? string.Create(CultureInfo.InvariantCulture, $"for {holdS:0.#} s")
            : "for its --hold-s";
        _log.LogInformation("inverter ownership handed over to the guard (pid {Pid}, epoch {Epoch}): it holds the battery power {Hold}, then ramps it to 0 W at the ramp limit, unless a new daemon takes the inverters back first",
            guardPid, OwnershipBoard.EpochOf(next), hold);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _board.Dispose();
}
