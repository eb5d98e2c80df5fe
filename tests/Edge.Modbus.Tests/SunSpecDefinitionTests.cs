using System.Text.Json;
using Edge.Modbus.SunSpec;
using Xunit.Abstractions;

namespace Edge.Modbus.Tests;

/// <summary>The embedded model layouts checked against the published SunSpec definitions and known facts.</summary>
public sealed class SunSpecDefinitionTests(ITestOutputHelper output)
{
    public static TheoryData<int> ModelIds => [1, 124, 701, 704, 713, 802];

    [Theory]
    [InlineData(1, 66)]
    [InlineData(124, 24)]
    [InlineData(701, 153)]
    [InlineData(704, 65)]
    [InlineData(713, 7)]
    [InlineData(802, 62)]
    public void Model_lengths_are_the_published_ones(int id, int length)
    {
        SunSpecModelDefinition d = SunSpecModels.Get(id);
        Assert.Equal(id, d.Id);
        Assert.Equal(length, d.Length);
        Assert.Equal(0, d["ID"].Offset);
        Assert.Equal(1, d["L"].Offset);
    }

    [Fact]
    public void Points_Edge_relies_on_sit_where_the_specification_puts_them()
    {
        SunSpecModelDefinition c = SunSpecModels.Get(704);
        Assert.Equal((22, 1, SunSpecPointType.Enum16, true), Shape(c["WSetEna"]));
        Assert.Equal((23, 1, SunSpecPointType.Enum16, true), Shape(c["WSetMod"]));
        Assert.Equal((24, 2, SunSpecPointType.Int32, true), Shape(c["WSet"]));
        Assert.Equal("WSet_SF", c["WSet"].ScaleFactorName);
        Assert.Equal((26, 2, SunSpecPointType.Int32, true), Shape(c["WSetRvrt"]));
        Assert.Equal((28, 1, SunSpecPointType.Int16, true), Shape(c["WSetPct"]));
        Assert.Equal((30, 1, SunSpecPointType.Enum16, true), Shape(c["WSetEnaRvrt"]));
        Assert.Equal((31, 2, SunSpecPointType.UInt32, true), Shape(c["WSetRvrtTms"]));
        Assert.Equal("Secs", c["WSetRvrtTms"].Units);
        Assert.Equal((49, 1, SunSpecPointType.UInt16, true), Shape(c["WRmp"]));
        Assert.Equal((50, 1, SunSpecPointType.Enum16, true), Shape(c["WRmpRef"]));
        Assert.Equal((55, 1, SunSpecPointType.ScaleFactor, false), Shape(c["WSet_SF"]));
        Assert.Equal(59, c["PFWInj.PF"].Offset);

        SunSpecModelDefinition b = SunSpecModels.Get(802);
        Assert.Equal((11, 1, SunSpecPointType.UInt16, false), Shape(b["SoC"]));
        Assert.Equal((18, 1, SunSpecPointType.UInt16, false), Shape(b["Hb"]));
        Assert.Equal((19, 1, SunSpecPointType.UInt16, true), Shape(b["CtrlHb"]));
        Assert.Equal("SoC_SF", b["SoC"].ScaleFactorName);

        SunSpecModelDefinition m = SunSpecModels.Get(701);
        Assert.Equal((10, 1, SunSpecPointType.Int16, false), Shape(m["W"]));
        Assert.Equal("W_SF", m["W"].ScaleFactorName);
        Assert.Equal(116, m["W_SF"].Offset);

        SunSpecModelDefinition s = SunSpecModels.Get(124);
        Assert.Equal((5, 1, SunSpecPointType.Bitfield16, true), Shape(s["StorCtl_Mod"]));
        Assert.Equal((12, 1, SunSpecPointType.Int16, true), Shape(s["OutWRte"]));
        Assert.Equal((13, 1, SunSpecPointType.Int16, true), Shape(s["InWRte"]));
        Assert.Equal((15, 1, SunSpecPointType.UInt16, true), Shape(s["InOutWRte_RvrtTms"]));

        SunSpecModelDefinition k = SunSpecModels.Get(713);
        Assert.Equal((4, 1, SunSpecPointType.UInt16, false), Shape(k["SoC"]));
        Assert.Equal("Pct_SF", k["SoC"].ScaleFactorName);
    }

    [Theory]
    [MemberData(nameof(ModelIds))]
    public void Every_point_matches_an_independent_walk_of_the_published_json(int id)
    {
        // The repository embeds the published files unmodified (Apache-2.0, LICENSE beside them). Where the shared
        // copy is at hand (a developer's checkout), the embedded bytes must equal it; the walk below needs either.
        string? shared = SharedSunSpecFolder();
        byte[] published;
        if (shared is null)
        {
            output.WriteLine("../shared/sunspec not found beside the repository: walking the embedded copy (byte comparison skipped).");
            published = SunSpecModels.ReadResource(id);
        }
        else
        {
            published = File.ReadAllBytes(Path.Combine(shared, $"model_{id}.json"));
            Assert.Equal(published, SunSpecModels.ReadResource(id)); // the embedded copy is the published file, unmodified
        }

        // An independent walk: offsets are the running sum of sizes, groups in order.
        var expected = new List<(string Name, int Offset, int Size, string Type, string? Sf)>();
        using JsonDocument doc = JsonDocument.Parse(published);
        int offset = 0;
        Walk(doc.RootElement.GetProperty("group"), "", ref offset);
        SunSpecModelDefinition d = SunSpecModels.Get(id);
        Assert.Equal(expected.Count, d.Points.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            SunSpecPoint p = d.Points[i];
            Assert.Equal(expected[i], (p.Name, p.Offset, p.Size, expected[i].Type, p.ScaleFactorName));
            Assert.Equal(expected[i].Type, TypeName(p.Type));
            if (p.ScaleFactorName is not null)
            {
                Assert.Equal(SunSpecPointType.ScaleFactor, d[p.ScaleFactorName].Type);
            }
        }

        void Walk(JsonElement group, string prefix, ref int at)
        {
            if (group.TryGetProperty("points", out JsonElement points))
            {
                foreach (JsonElement p in points.EnumerateArray())
                {
                    int size = p.GetProperty("size").GetInt32();
                    expected.Add((prefix + p.GetProperty("name").GetString(), at, size, p.GetProperty("type").GetString()!,
                        p.TryGetProperty("sf", out JsonElement sf) ? sf.GetString() : null));
                    at += size;
                }
            }

            if (group.TryGetProperty("groups", out JsonElement groups))
            {
                foreach (JsonElement g in groups.EnumerateArray())
                {
                    Walk(g, prefix + g.GetProperty("name").GetString() + ".", ref at);
                }
            }
        }
    }

    private static (int, int, SunSpecPointType, bool) Shape(SunSpecPoint p) => (p.Offset, p.Size, p.Type, p.Writable);

    private static string TypeName(SunSpecPointType t) => t switch
    {
        SunSpecPointType.ScaleFactor => "sunssf",
        SunSpecPointType.IpAddr => "ipaddr",
        SunSpecPointType.Ipv6Addr => "ipv6addr",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>The nearest <c>shared/sunspec</c> beside the repository or one of its ancestors (worktrees sit deeper).</summary>
    internal static string? SharedSunSpecFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "sunspec");
            if (File.Exists(Path.Combine(candidate, "model_704.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
