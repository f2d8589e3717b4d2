using System.Text.Json.Nodes;

namespace Shop.Tests.Hosting;

public sealed class RuntimeConfigTests
{
    [Fact]
    public void TheServiceRunsTheWorkstationGcWithinAHeapLimit()
    {
        // The file the runtime reads beside shop.dll (the build's, which publishing copies as it is).
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!;

        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.True(properties["System.GC.HeapHardLimit"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void HotMethodsAreOptimisedWithoutWaitingForTheJitToFallQuiet()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, properties["System.Runtime.TieredCompilation.CallCountingDelayMs"]!.GetValue<int>());
    }
}
