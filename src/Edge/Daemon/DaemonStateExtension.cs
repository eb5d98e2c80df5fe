using System.Text.Json;
using Edge.Agents.Contract;
using Edge.Agents.Registry;
using Edge.Mqtt.Publishing;
using Edge.Planning;
using Edge.Runtime.Handoff;

namespace Edge.Daemon;

/// <summary>
/// The daemon's sections of the state message: <c>site_limit</c> (progress and compliance of the grid request, from
/// the loop's mailbox), <c>backstop</c> (tier and band amplitudes, from the pump's mailbox) and <c>agents</c> (the
/// registry's view: counted on or dropped, and why), <c>levers</c> (the coordinator's costs and plan) and <c>planner</c>
/// (the grid planner's plans, solve times and forecast, when it runs). Publisher thread,
/// 10 Hz: allocation-free once warm — the agents are copied into an array sized for the registry's bound, their ids
/// encoded once and kept, names and enum values are UTF-8 literals (<c>DaemonStateTests</c>: 0 B per message). Powers
/// (<c>…_w</c>) are rounded to 0.1 W as in the rest of the state (<see cref="EdgeJson.Power"/>), other numbers to 0.01.
/// </summary>
internal sealed class DaemonStateExtension(
    LatestValueMailbox<SiteLimitStatus>? siteLimit, LatestValueMailbox<BackstopFigures>? backstop, AgentRegistry? agents,
    LatestValueMailbox<LeverFigures>? levers = null, LatestValueMailbox<PlannerFigures>? planner = null) : IStateExtension
{
    // Publisher thread only.
    private readonly AgentView[] _agents = agents is null ? [] : new AgentView[AgentRegistry.MaxAgents];
    private readonly Dictionary<string, JsonEncodedText> _ids = new(StringComparer.Ordinal);

    public void WriteState(Utf8JsonWriter j)
    {
        if (siteLimit is not null && siteLimit.TryRead(out SiteLimitStatus s, out _, out _))
        {
            j.WriteStartObject("site_limit"u8);
            j.WriteString("state"u8, s.Phase switch
            {
                SiteLimitPhase.None => "none"u8,
                SiteLimitPhase.Scheduled => "scheduled"u8,
                SiteLimitPhase.Active => "active"u8,
                SiteLimitPhase.Done => "done"u8,
                _ => "cancelled"u8,
            });
            EdgeJson.Power(j, "from_w"u8, s.FromW);
            EdgeJson.Power(j, "target_w"u8, s.TargetW);
            Number(j, "ramp_w_per_s"u8, s.RampWPerS);
            Number(j, "reach_s"u8, s.ReachS);
            Number(j, "duration_s"u8, s.DurationS);
            Number(j, "elapsed_s"u8, s.ElapsedS);
            EdgeJson.Power(j, "grid_w"u8, s.GridW);
            EdgeJson.Power(j, "grid_target_w"u8, s.GridTargetW);
            j.WriteBoolean("feasible"u8, s.Feasible);
            j.WriteBoolean("compliant"u8, s.Compliant);
            Number(j, "over_s"u8, s.OverS);
            EdgeJson.Power(j, "max_over_w"u8, s.MaxOverW);
            EdgeJson.Power(j, "meter_correction_w"u8, s.MeterCorrectionW);
            j.WriteEndObject();
        }

        if (backstop is not null && backstop.TryRead(out BackstopFigures b, out _, out _))
        {
            j.WriteStartObject("backstop"u8);
            j.WriteNumber("tier"u8, b.Tier);
            j.WriteNumber("transitions"u8, b.Transitions);
            j.WriteStartArray("bands"u8);
            for (int i = 0; i < b.Bands; i++)
            {
                j.WriteStartObject();
                EdgeJson.Power(j, "grid_amplitude_w"u8, b.GridW[i]);
                Number(j, "grid_hz"u8, b.GridHz[i]);
                EdgeJson.Power(j, "load_amplitude_w"u8, b.LoadW[i]);
                Number(j, "load_hz"u8, b.LoadHz[i]);
                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }

        if (levers is not null && levers.TryRead(out LeverFigures l, out _, out _))
        {
            // docs/agents.md: what the levers cost so far, and the plan.
            j.WriteStartObject("levers"u8);
            Number(j, "flex_energy_wh"u8, l.Costs.FlexEnergyWh);
            Number(j, "curtailed_s"u8, l.Costs.CurtailedS);
            Number(j, "gpu_capped_s"u8, l.Costs.GpuCappedS);
            // Unknown (null) until a GPU agent reports what it would draw uncapped (demand_w): not 0.
            Number(j, "gpu_energy_lost_wh"u8, l.GpuEnergyLostKnown ? l.Costs.GpuEnergyLostWh : double.NaN);
            EdgeJson.Power(j, "flex_command_w"u8, l.FlexCommandW);
            EdgeJson.Power(j, "flex_reserve_w"u8, l.FlexReserveW);
            EdgeJson.Power(j, "gpu_allowed_w"u8, l.GpuAllowedW);
            EdgeJson.Power(j, "battery_budget_w"u8, l.BatteryBudgetW);
            j.WriteBoolean("absorbing"u8, l.Absorbing);
            j.WriteNumber("commands_dropped"u8, l.CommandsDropped);
            j.WriteEndObject();
        }

        if (planner is not null && planner.TryRead(out PlannerFigures p, out _, out _))
        {
            // docs/planner.md: the planner beside the loop — its plans, solve times and forecast.
            j.WriteStartObject("planner"u8);
            j.WriteNumber("plans"u8, p.Plans);
            j.WriteNumber("skipped"u8, p.Skipped);
            j.WriteNumber("not_optimal"u8, p.NotOptimal);
            Number(j, "solve_p50_ms"u8, p.SolveP50Ms);
            Number(j, "solve_p99_ms"u8, p.SolveP99Ms);
            Number(j, "solve_max_ms"u8, p.SolveMaxMs);
            j.WriteNumber("round_alloc_bytes"u8, p.RoundAllocatedBytes);
            Number(j, "period_s"u8, p.PeriodS);
            Number(j, "confidence"u8, p.Confidence);
            Number(j, "phase_weight"u8, p.PhaseWeight);
            j.WriteNumber("announcements"u8, p.Announcements);
            j.WriteNumber("samples_dropped"u8, p.SamplesDropped);
            j.WriteEndObject();
        }

        if (agents is not null)
        {
            int n = agents.CopyTo(_agents);
            ReadOnlySpan<AgentView> list = _agents.AsSpan(0, n);
            j.WriteStartObject("agents"u8);
            int active = 0;
            foreach (ref readonly AgentView a in list)
            {
                active += a.Active ? 1 : 0;
            }

            j.WriteNumber("known"u8, n);
            j.WriteNumber("active"u8, active);
            j.WriteStartArray("list"u8);
            foreach (ref readonly AgentView a in list)
            {
                j.WriteStartObject();
                j.WriteString("id"u8, Encoded(a.Id));
                j.WriteString("kind"u8, a.Kind switch { AgentKind.Gpu => "gpu"u8, AgentKind.Flex => "flex"u8, AgentKind.Framework => "framework"u8, _ => "unknown"u8 });
                j.WriteBoolean("active"u8, a.Active);
                if (a.DroppedBecause is { } why)
                {
                    j.WriteString("dropped"u8, why);
                }

                EdgeJson.Power(j, "power_w"u8, a.PowerW ?? double.NaN);
                if (a.DemandW is { } demand)
                {
                    EdgeJson.Power(j, "demand_w"u8, demand);
                }

                if (a.CapW is { } cap)
                {
                    EdgeJson.Power(j, "cap_w"u8, cap);
                }

                if (a.LevelPct is { } level)
                {
                    EdgeJson.Number(j, "level_pct"u8, level, EdgeJson.PercentDigits);
                }

                if (a.State is { } state)
                {
                    j.WriteString("state"u8, state switch
                    {
                        AgentState.Free => "free"u8,
                        AgentState.Commanded => "commanded"u8,
                        AgentState.Releasing => "releasing"u8,
                        _ => "fault"u8,
                    });
                }

                if (a.Refused > 0)
                {
                    j.WriteNumber("refused"u8, a.Refused);
                    j.WriteString("last_error"u8, a.LastError);
                }

                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }
    }

    /// <summary>The agent id's JSON text, encoded the first time it is seen (bounded: the cache starts afresh past twice the registry's bound).</summary>
    private JsonEncodedText Encoded(string id)
    {
        if (!_ids.TryGetValue(id, out JsonEncodedText text))
        {
            if (_ids.Count >= 2 * AgentRegistry.MaxAgents)
            {
                _ids.Clear();
            }

            text = JsonEncodedText.Encode(id);
            _ids.Add(id, text);
        }

        return text;
    }

    // What is not a power (seconds, Hz, Wh, W/s, ms): 0.01. Powers go through EdgeJson.Power (0.1 W, docs/DESIGN.md §7).
    private static void Number(Utf8JsonWriter j, ReadOnlySpan<byte> name, double value) => EdgeJson.Number(j, name, value, 2);
}
