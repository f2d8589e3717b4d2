namespace Shop.Hosting;

/// <summary>A setting with a bad value; the message is the one line printed at start-up.</summary>
public sealed class SettingsException(string setting, string problem)
    : Exception($"{setting}: {problem}")
{
    public string Setting { get; } = setting;
}
