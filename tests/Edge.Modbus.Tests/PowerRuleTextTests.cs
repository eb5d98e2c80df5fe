using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Modbus.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>
/// The ±1.5 × rated-power margin has one source, <see cref="PowerPlausibility.Margin"/>: the rule's text is derived
/// from it, so a change of the constant cannot leave a message stating the old margin.
/// </summary>
public sealed partial class PowerRuleTextTests
{
    [Fact]
    public void No_string_in_the_modbus_code_spells_a_margin_beside_the_constant()
    {
        string src = Path.Combine(RepositoryRoot(), "src", "Edge.Modbus");
        var spelled = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                {
                    continue; // documentation may explain the number; code must not restate it
                }

                foreach (Match literal in StringLiteral().Matches(lines[i]))
                {
                    if (SpelledFactor().IsMatch(literal.Value))
                    {
                        spelled.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {literal.Value}");
                    }
                }
            }
        }

        Assert.True(spelled.Count == 0, "a factor spelled as a literal in a message (derive it from PowerPlausibility.Margin):\n" + string.Join('\n', spelled));
    }

    [Fact]
    public void The_rules_state_the_margin_of_the_constant()
    {
        string stated = string.Create(CultureInfo.InvariantCulture, $"at most {PowerPlausibility.Margin} × its rated power");
        Assert.Contains(stated, PowerPlausibility.SunSpecRule, StringComparison.Ordinal);
        Assert.Contains(stated, PowerPlausibility.DeviceRule, StringComparison.Ordinal);
        Assert.Same(PowerPlausibility.SunSpecRule, PowerPlausibility.SunSpecRule); // built once, not per call

        Implausible x = PowerPlausibility.Check("701 W", 3001, 2000, PowerPlausibility.SunSpecRule);
        Assert.Equal(PowerPlausibility.Margin * 2000, x.Limit);
        Assert.True(PowerPlausibility.Check("701 W", 3000, 2000, PowerPlausibility.SunSpecRule).IsNone);
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\d(?:\.\d+)? ×")]
    private static partial Regex SpelledFactor();
}
