using Xunit.Sdk;

namespace Shop.Tests.Infrastructure;

public sealed class ExternalServerTests
{
    // The other half of the rule, a skip with the message saying what is missing, cannot be a
    // test of its own: xunit v3 records Assert.Skip on the running test even when it is caught.

    [Fact]
    public void MissingServerFailsWhenServicesAreRequired()
    {
        var exception = Assert.Throws<FailException>(() => ExternalServer.Prepare("no-such-server-7f3a", required: true, []));

        Assert.Contains($"{ExternalServer.RequireVariable}=1 requires it", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServersAreFoundInVersionedFolders()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Executable file modes exist on Unix only.");
            return;
        }
        var root = Directory.CreateTempSubdirectory("shop-find-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, "15", "bin")).FullName;
            var program = Path.Combine(bin, "fake-postgres");
            File.WriteAllText(program, "#!/bin/sh\n");
            Assert.Null(ExternalServer.Find("fake-postgres", Path.Combine(root, "*", "bin")));

            File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            Assert.Equal(program, ExternalServer.Find("fake-postgres", Path.Combine(root, "*", "bin")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
