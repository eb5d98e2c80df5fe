using Edge.Modbus;
using Edge.Modbus.Registers;
using Edge.Modbus.Server;
using Edge.Modbus.SunSpec;
using Edge.Simulation.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>The simulated PCS on virtual time: stepped explicitly, no sockets, fully deterministic.</summary>
public sealed class SimulatedPcsTests
{
    private const double Dt = 0.001;

    private static void Run(SimulatedPcs pcs, double seconds)
    {
        int steps = (int)Math.Round(seconds / Dt);
        for (int i = 0; i < steps; i++)
        {
            pcs.Step(Dt);
        }
    }

    [Fact]
    public void Follows_a_setpoint_after_the_latency_with_a_first_order_lag()
    {
        var pcs = new SimulatedPcs(new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 20, TimeConstantMs = 50, DefaultRampPctPerS = 1e5 });
        pcs.WriteSetpoint(true, 5000);
        Run(pcs, 0.019);
        Assert.Equal(0, pcs.PowerW, 6); // nothing before the latency has passed
        Run(pcs, 0.001 + 0.050);
        Assert.InRange(pcs.PowerW, 5000 * 0.60, 5000 * 0.66); // one time constant: 1 − 1/e ≈ 63 %
        Run(pcs, 0.5);
        Assert.Equal(5000, pcs.PowerW, 0);
    }

    [Fact]
    public void The_programmed_ramp_limits_the_reference()
    {
        var pcs = new SimulatedPcs(new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 0 });
        pcs.WriteRamp(10); // 1 kW/s
        pcs.WriteSetpoint(true, 5000);
        Run(pcs, 1.0);
        Assert.Equal(1000, pcs.PowerW, 0);
        Run(pcs, 4.5);
        Assert.Equal(5000, pcs.PowerW, 0);
    }

    [Fact]
    public void WRmp_limits_increases_only_decreases_and_the_revert_to_zero_are_steps()
    {
        // SunSpec 704: WRmp is "the ramp rate for increases in active power". Real devices do not ramp a decrease.
        var pcs = new SimulatedPcs(new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 0 });
        pcs.WriteRamp(20); // 2 kW/s
        pcs.WriteReversion(0, true, 2);
        pcs.WriteSetpoint(true, 4000);
        Run(pcs, 1.9);
        Assert.Equal(3800, pcs.PowerW, 0); // the rise is ramped
        pcs.WriteSetpoint(true, 4000); // a write restarts the timer
        Run(pcs, 1.99);
        Assert.Equal(0, pcs.RevertCount);
        Assert.Equal(4000, pcs.PowerW, 0);
        Run(pcs, 0.02);
        Assert.Equal(1, pcs.RevertCount);
        Assert.Equal(0, pcs.SetpointW);
        Assert.Equal(0, pcs.PowerW, 6); // the revert to 0 W is a step: only the power stage's lag would smooth it

        pcs.WriteSetpoint(true, -3000); // charging: a larger charge is an increase, ramped
        Run(pcs, 0.5);
        Assert.Equal(-1000, pcs.PowerW, 0);
        pcs.WriteSetpoint(true, -200); // a smaller charge is a decrease: at once
        Run(pcs, 0.001);
        Assert.Equal(-200, pcs.PowerW, 0);
        pcs.WriteSetpoint(true, 3000); // a reversal: through 0 W at once, then the ramp
        Run(pcs, 0.5);
        Assert.InRange(pcs.PowerW, 990, 1010);
    }

    [Fact]
    public void The_revert_goes_to_WSetRvrt_when_enabled_else_to_zero_and_reversion_writes_do_not_restart_the_timer()
    {
        var pcs = new SimulatedPcs(new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 0, DefaultRampPctPerS = 1e4 });
        pcs.WriteReversion(0, true, 2);
        pcs.WriteSetpoint(true, 2500);
        Run(pcs, 1.5);
        pcs.WriteReversion(2500, true, 2); // a controller keeps WSetRvrt tracking its setpoint: the timer keeps running
        Run(pcs, 0.6);
        Assert.Equal(1, pcs.RevertCount);
        Assert.Equal(2500, pcs.PowerW, 0); // the device holds instead of dropping
        Run(pcs, 10);
        Assert.Equal(2500, pcs.PowerW, 0);

        pcs.WriteReversion(2500, false, 2); // WSetEnaRvrt = 0: the setpoint function is disabled on reversion → 0 W
        pcs.WriteSetpoint(true, 2500);
        Run(pcs, 2.01);
        Assert.Equal(2, pcs.RevertCount);
        Assert.False(pcs.SetpointEnabled);
        Assert.Equal(0, pcs.PowerW, 6);
    }

    [Fact]
    public void SoC_integrates_with_efficiency_and_limits_cut_power_at_empty()
    {
        var pcs = new SimulatedPcs(new SimulatedPcsOptions
        {
            RatedPowerW = 3600, EnergyWh = 10, InitialSocPct = 50, ChargeEfficiency = 0.9, DischargeEfficiency = 0.8,
            LatencyMs = 0, TimeConstantMs = 0, DefaultRampPctPerS = 1e5,
        });
        pcs.WriteSetpoint(true, -3600); // charge 1 Wh per second AC, 0.9 Wh stored
        Run(pcs, 1);
        Assert.Equal(59, pcs.SocPct, 6);
        pcs.WriteSetpoint(true, 3600); // discharge 1 Wh AC per second draws 1.25 Wh from the cells
        Run(pcs, 2);
        Assert.Equal(34, pcs.SocPct, 1); // the reversal passes through 0 W at once, then rises at the ramp
        Run(pcs, 10);
        Assert.Equal(0, pcs.SocPct, 6);
        Assert.Equal(0, pcs.PowerW, 6);
        Assert.Equal(0, pcs.AllowedDischargeW);
    }

    [Fact]
    public void A_trip_is_a_step_to_zero_and_latches_until_reset()
    {
        var pcs = new SimulatedPcs(new SimulatedPcsOptions { LatencyMs = 0, TimeConstantMs = 0, DefaultRampPctPerS = 1e5 });
        pcs.WriteSetpoint(true, 5000);
        Run(pcs, 0.01);
        pcs.SetFaults(PcsFaults.Trip);
        Assert.Equal(0, pcs.PowerW);
        pcs.SetFaults(PcsFaults.None);
        pcs.WriteSetpoint(true, 5000); // ignored while tripped
        Run(pcs, 0.1);
        Assert.Equal(0, pcs.PowerW);
        pcs.ResetAlarms();
        pcs.WriteSetpoint(true, 5000);
        Run(pcs, 0.1);
        Assert.Equal(5000, pcs.PowerW, 0);
    }

    [Fact]
    public void The_register_image_is_driven_through_Modbus_writes_and_explicit_steps()
    {
        var sim = new SunSpecInverterSimulator(new SimulatedPcsOptions { LatencyMs = 0, TimeConstantMs = 0, DefaultRampPctPerS = 1e4 });
        SunSpecModelInstance control = sim.Models.First(m => m.Id == 704);
        SunSpecModelInstance measure = sim.Models.First(m => m.Id == 701);
        ushort[] wset = new ushort[4];
        wset[0] = 1; // WSetEna
        wset[1] = 1; // WSetMod = WATTS
        RegisterCodec.WriteInt32(wset.AsSpan(2), -3000);
        Assert.Equal(ModbusReply.Ok, sim.Write(1, ModbusFunction.WriteMultipleRegisters, control.AddressOf("WSetEna"), wset));
        sim.Step(0.5);
        ushort[] w = new ushort[1];
        Assert.Equal(ModbusReply.Ok, sim.Read(1, ModbusFunction.ReadHoldingRegisters, measure.AddressOf("W"), w));
        Assert.Equal(-3000, (short)w[0]);

        // Read-only points, addresses outside the map and input registers are refused with the right exception.
        Assert.Equal(ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress), sim.Write(1, ModbusFunction.WriteSingleRegister, measure.AddressOf("W"), [1]));
        Assert.Equal(ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress), sim.Read(1, ModbusFunction.ReadHoldingRegisters, 39_999, w));
        Assert.Equal(ModbusReply.Exception(ModbusExceptionCode.IllegalFunction), sim.Read(1, ModbusFunction.ReadInputRegisters, 40_000, w));

        // Faults as the wire sees them.
        sim.SetFaults(PcsFaults.RefuseWrites);
        Assert.Equal(ModbusReply.Exception(ModbusExceptionCode.ServerDeviceFailure), sim.Write(1, ModbusFunction.WriteMultipleRegisters, control.AddressOf("WSetEna"), wset));
        sim.SetFaults(PcsFaults.Mute);
        Assert.Equal(ModbusReply.Ignore, sim.Read(1, ModbusFunction.ReadHoldingRegisters, 40_000, w));
        sim.SetFaults(PcsFaults.DropConnection);
        Assert.Equal(ModbusReply.Drop, sim.Read(1, ModbusFunction.ReadHoldingRegisters, 40_000, w));
    }

    [Fact]
    public void Legacy_124_rates_force_charge_and_discharge()
    {
        var sim = new SunSpecInverterSimulator(new SimulatedPcsOptions { ControlModel = 124, RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 0, DefaultRampPctPerS = 1e4 });
        SunSpecModelInstance storage = sim.Models.First(m => m.Id == 124);
        // InOutWRte_SF = −2: 2500 = 25.00 %. Forced discharge of 25 %: OutWRte = 25 %, InWRte = −25 %, StorCtl_Mod = 3.
        Assert.Equal(ModbusReply.Ok, sim.Write(1, ModbusFunction.WriteMultipleRegisters, storage.AddressOf("OutWRte"), [2500, unchecked((ushort)-2500)]));
        Assert.Equal(ModbusReply.Ok, sim.Write(1, ModbusFunction.WriteSingleRegister, storage.AddressOf("StorCtl_Mod"), [3]));
        sim.Step(0.1);
        Assert.Equal(2500, sim.Snapshot().PowerW, 0);
        Assert.Equal(ModbusReply.Ok, sim.Write(1, ModbusFunction.WriteMultipleRegisters, storage.AddressOf("OutWRte"), [unchecked((ushort)-1000), 1000]));
        sim.Step(0.1);
        Assert.Equal(-1000, sim.Snapshot().PowerW, 0);
    }
}
