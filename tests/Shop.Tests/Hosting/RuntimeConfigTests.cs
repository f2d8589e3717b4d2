using System.Text.Json.Nodes;

namespace Shop.Tests.Hosting;

public sealed class RuntimeConfigTests
{
    [Fact]
    public void TheServiceRunsTheWorkstationGcWithinAHeapLimit()
    {
        var properties = ConfigProperties();

        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.True(properties["System.GC.HeapHardLimit"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void HotMethodsAreOptimisedWithoutWaitingForTheJitToFallQuiet()
    {
        Assert.Equal(0, ConfigProperties()["System.Runtime.TieredCompilation.CallCountingDelayMs"]!.GetValue<int>());
    }

    // The file the runtime reads beside shop.dll (the build's, which publishing copies as it is).
    private static JsonNode ConfigProperties() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.runtimeconfig.json")))!["runtimeOptions"]!["configProperties"]!;
}
