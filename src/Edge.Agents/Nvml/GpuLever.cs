using Edge.Agents.Contract;
using Edge.Agents.Host;
using Edge.Core.Levers;

namespace Edge.Agents.Nvml;

/// <summary>
/// The GPU node's lever over NVML: one node cap (W) shared equally by its GPUs, set with
/// <c>nvmlDeviceSetPowerManagementLimit</c>; power read per GPU from <c>NVML_FI_DEV_POWER_INSTANT</c>. The cap range
/// is the local limits intersected with each GPU's constraints; an expired or released cap goes back to the maximum
/// along the <see cref="ReleaseRamp"/>. NOT_SUPPORTED on the limit constraints removes the power-cap knob (commands are
/// refused, telemetry continues); NO_PERMISSION on a set is answered as an error naming the cause and nothing is
/// applied; a failing write while releasing sets the fault state and is retried every sample.
/// </summary>
public sealed class GpuLever : IAgentLever
{
    private readonly INvml _nvml;
    private readonly uint[] _gpus;
    private readonly ReleaseRamp? _cap;
    private readonly bool _canCap;
    private readonly int _profiles;
    private double _writtenW = double.NaN;
    private double _foundW = double.NaN;
    private bool _started;
    private readonly double _maxRiseW;
    private readonly double _releaseWPerS;
    private long _lastSampleNs;
    private string? _fault;

    /// <summary>Initialises NVML and the GPUs; throws <see cref="AgentStartException"/> when they cannot be used.</summary>
    public GpuLever(INvml nvml, GpuAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(nvml);
        ArgumentNullException.ThrowIfNull(options);
        _nvml = nvml;
        Check(nvml.Init(), "nvmlInit_v2");
        Check(nvml.DeviceCount(out uint count), "nvmlDeviceGetCount_v2");
        _gpus = options.Gpus.Count > 0 ? [.. options.Gpus] : [.. Enumerable.Range(0, (int)count).Select(i => (uint)i)];
        if (_gpus.Length == 0)
        {
            throw new AgentStartException("NVML reports no GPU.");
        }

        double hwMinW = 0, hwMaxW = 0;
        _canCap = true;
        foreach (uint g in _gpus)
        {
            if (g >= count)
            {
                throw new AgentStartException($"GPU {g} does not exist (NVML reports {count}).");
            }

            Check(nvml.OpenDevice(g), $"nvmlDeviceGetHandleByIndex_v2({g})");
            Check(nvml.PowerInstantMw(g, out _), $"nvmlDeviceGetFieldValues(NVML_FI_DEV_POWER_INSTANT) on GPU {g} — Edge needs the instantaneous reading (≥ 10 Hz); the 1 s average is too slow");
            NvmlReturn r = nvml.PowerLimitConstraintsMw(g, out uint minMw, out uint maxMw);
            if (r == NvmlReturn.NotSupported)
            {
                _canCap = false;
                continue;
            }

            Check(r, $"nvmlDeviceGetPowerManagementLimitConstraints({g})");
            hwMinW += minMw / 1000.0;
            hwMaxW += maxMw / 1000.0;
            Check(nvml.PowerLimitMw(g, out uint limitMw), $"nvmlDeviceGetPowerManagementLimit({g})");
            _foundW = (double.IsNaN(_foundW) ? 0 : _foundW) + (limitMw / 1000.0);
        }

        double minW = Math.Max(hwMinW, options.MinCapW);
        double maxW = options.MaxCapW > 0 ? Math.Min(hwMaxW, options.MaxCapW) : hwMaxW;
        if (_canCap && minW > maxW)
        {
            throw new AgentStartException($"The local cap range [{options.MinCapW}, {options.MaxCapW}] W does not overlap the GPUs' [{hwMinW}, {hwMaxW}] W.");
        }

        _profiles = options.SmoothingProfiles;
        _maxRiseW = options.ReleaseWPerS / options.TelemetryHz;
        _releaseWPerS = options.ReleaseWPerS;
        var knobs = new List<AgentKnob>();
        if (_canCap)
        {
            knobs.Add(AgentKnob.PowerCap);
            _cap = new ReleaseRamp(minW, maxW, maxW, options.ReleaseWPerS, options.ReleaseJitterS, ReleaseRamp.SeedOf(options.Identity));
        }

        if (_profiles > 0)
        {
            knobs.Add(AgentKnob.SmoothingProfile);
        }

        Capabilities = new AgentCapabilities
        {
            Kind = AgentKind.Gpu,
            MinW = _canCap ? minW : 0,
            MaxW = _canCap ? maxW : 0,
            ResponseMs = options.ResponseMs,
            Knobs = knobs,
            TelemetryHz = options.TelemetryHz,
            ReleaseWPerS = options.ReleaseWPerS,
            ReleaseJitterS = options.ReleaseJitterS,
            SmoothingProfiles = _profiles > 0 ? _profiles : null,
            MaxCommandLifetimeS = options.MaxCommandLifetimeS,
        };
    }

    /// <inheritdoc />
    public AgentCapabilities Capabilities { get; }

    /// <inheritdoc />
    public bool IsFree => _cap is null || (_cap.Phase == LeverPhase.Free && Math.Abs(_writtenW - _cap.FreeW) < 1);

    /// <summary>The cap the lever holds now, W (NaN without the knob).</summary>
    public double CapW => _cap?.ValueW ?? double.NaN;

    /// <inheritdoc />
    public (double? Applied, string? Error) Apply(string name, AgentCommand command, long nowNs, long expiresNs)
    {
        switch (name)
        {
            case "power-cap":
                if (_cap is null)
                {
                    return (null, "power-cap is not supported on this hardware (NVML_ERROR_NOT_SUPPORTED)");
                }

                if (command.CapW is not { } capW)
                {
                    _cap.Release(nowNs);
                    return (_cap.ValueW, null);
                }

                if (capW < _cap.MinW || capW > _cap.MaxW)
                {
                    return (null, FormattableString.Invariant($"cap_w {capW} W is outside the local limits [{_cap.MinW}, {_cap.MaxW}] W"));
                }

                if (Write(capW) is { } error)
                {
                    return (null, error);
                }

                _cap.TryCommand(capW, nowNs, expiresNs, command.ReleaseWPerS, out string? refused);
                return refused is null ? (capW, null) : (null, refused);
            case "smoothing-profile":
                if (_profiles == 0)
                {
                    return (null, "smoothing-profile is not supported on this hardware");
                }

                if (command.Profile is null)
                {
                    // Released: power smoothing off (the hardware's default), on every GPU.
                    foreach (uint g in _gpus)
                    {
                        NvmlReturn off = _nvml.SetSmoothingState(g, false);
                        if (off != NvmlReturn.Success)
                        {
                            return (null, Describe(off, $"nvmlDevicePowerSmoothingSetState on GPU {g}"));
                        }
                    }

                    return (null, null);
                }

                if (command.Profile is not { } profile || profile >= _profiles)
                {
                    return (null, $"profile must be 0 to {_profiles - 1}");
                }

                foreach (uint g in _gpus)
                {
                    NvmlReturn r = _nvml.ActivateSmoothingProfile(g, (uint)profile);
                    if (r != NvmlReturn.Success)
                    {
                        return (null, Describe(r, $"nvmlDevicePowerSmoothingActivatePresetProfile on GPU {g}"));
                    }
                }

                return (profile, null);
            default:
                return (null, $"command '{name}' does not exist for a GPU agent (power-cap, smoothing-profile)");
        }
    }

    /// <inheritdoc />
    public AgentTelemetry Sample(long nowNs, long seq, long tsMs)
    {
        if (_cap is not null)
        {
            if (!_started)
            {
                // The caps found in the hardware (a previous agent may have been killed mid-command) are released
                // from where they are, along the ramp: starting never steps them.
                _started = true;
                _writtenW = _foundW;
                _lastSampleNs = nowNs;
                _cap.ReleaseFrom(_foundW, nowNs);
            }

            // A rise is written at most the release ramp's worth of the time since the last sample, and at most one
            // sample period's: a stalled agent (GC, a busy machine) slows its release instead of catching up in one
            // step, and the samples the host then runs back to back add nothing either. A lower cap applies at once.
            double riseW = Math.Min(_maxRiseW, _releaseWPerS * Math.Max(0, nowNs - _lastSampleNs) * 1e-9);
            _lastSampleNs = nowNs;
            double capW = Math.Min(_cap.Update(nowNs), _writtenW + riseW);
            if (!(Math.Abs(capW - _writtenW) < 1))
            {
                _fault = Write(capW);
            }
        }

        double powerW = 0;
        foreach (uint g in _gpus)
        {
            NvmlReturn r = _nvml.PowerInstantMw(g, out uint mw);
            if (r != NvmlReturn.Success)
            {
                _fault = Describe(r, $"power reading of GPU {g}");
            }

            powerW += mw / 1000.0;
        }

        AgentState state = _fault is not null ? AgentState.Fault : _cap?.Phase switch
        {
            LeverPhase.Commanded => AgentState.Commanded,
            LeverPhase.Releasing => AgentState.Releasing,
            _ when !IsFree => AgentState.Releasing,
            _ => AgentState.Free,
        };
        // No demand_w: under a cap the board draws at most the cap, and nothing NVML reads says what it would draw
        // without one (docs/agents.md). The field stays absent rather than carry a guess.
        return new AgentTelemetry { Seq = seq, TsMs = tsMs, PowerW = powerW, CapW = _cap is null ? null : _writtenW, State = state };
    }

    /// <summary>The last hardware error, or null.</summary>
    public string? Fault => _fault;

    /// <inheritdoc />
    public void ReleaseAll(long nowNs) => _cap?.Release(nowNs);

    private string? Write(double capW)
    {
        uint perGpuMw = (uint)Math.Round(capW * 1000 / _gpus.Length);
        foreach (uint g in _gpus)
        {
            NvmlReturn r = _nvml.SetPowerLimitMw(g, perGpuMw);
            if (r != NvmlReturn.Success)
            {
                return Describe(r, $"nvmlDeviceSetPowerManagementLimit on GPU {g}");
            }
        }

        _writtenW = capW;
        return null;
    }

    private static string Describe(NvmlReturn r, string what) => r switch
    {
        NvmlReturn.NoPermission => $"{what}: NVML_ERROR_NO_PERMISSION (setting power limits needs root)",
        NvmlReturn.NotSupported => $"{what}: NVML_ERROR_NOT_SUPPORTED on this GPU",
        _ => $"{what}: NVML error {(int)r} ({r})",
    };

    private static void Check(NvmlReturn r, string what)
    {
        if (r != NvmlReturn.Success)
        {
            throw new AgentStartException(r == NvmlReturn.LibraryNotFound ? "libnvidia-ml.so.1 not found: install the NVIDIA driver." : Describe(r, what));
        }
    }
}
