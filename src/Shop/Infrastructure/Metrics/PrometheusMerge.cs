using System.Globalization;
using System.Text;

namespace Shop.Infrastructure.Metrics;

/// <summary>
/// Adds up the Prometheus texts of several worker processes into the one text of the service.
/// Hand-written because neither OpenTelemetry's exporter nor prometheus-net has a multi-process mode
/// (prometheus_client's is Python only): counters and histograms are summed over every worker that
/// ever ran (a retired worker's counts stay, so a total never goes backwards), gauges over the live
/// workers only — summed, except <c>shop_ready</c> (the lowest: one worker not ready is not ready) and
/// <c>shop_queue_depth</c> (the highest: every worker reads the same shared queue).
/// </summary>
public static class PrometheusMerge
{
    private static readonly Dictionary<string, Func<double, double, double>> GaugeRules = new(StringComparer.Ordinal)
    {
        ["shop_ready"] = Math.Min,
        ["shop_queue_depth"] = Math.Max,
    };

    /// <summary>One text in Prometheus' format 0.0.4, from <paramref name="texts"/> (text, whether its process is alive).</summary>
    public static string Merge(IEnumerable<(string Text, bool Live)> texts)
    {
        var families = new List<Family>();
        var byName = new Dictionary<string, Family>(StringComparer.Ordinal);
        foreach (var (text, live) in texts)
        {
            Family? current = null;
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line.StartsWith("# EOF", StringComparison.Ordinal))
                {
                    continue;
                }
                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', 4);
                    if (parts.Length < 4)
                    {
                        continue;
                    }
                    if (!byName.TryGetValue(parts[2], out current))
                    {
                        current = new Family(parts[2]);
                        byName.Add(parts[2], current);
                        families.Add(current);
                    }
                    if (parts[1] == "HELP")
                    {
                        current.Help ??= line;
                    }
                    else
                    {
                        current.Type ??= parts[3];
                    }
                    continue;
                }
                if (line[0] == '#' || current is null)
                {
                    continue;
                }
                var (key, value) = Sample(line);
                if (key is null || current.Type == "gauge" && !live)
                {
                    continue;
                }
                if (current.Samples.TryGetValue(key, out var sum))
                {
                    var rule = current.Type == "gauge" && GaugeRules.TryGetValue(current.Name, out var special) ? special : (a, b) => a + b;
                    current.Samples[key] = rule(sum, value);
                }
                else
                {
                    current.Samples.Add(key, value);
                    current.Order.Add(key);
                }
            }
        }
        var output = new StringBuilder();
        foreach (var family in families.Where(f => f.Samples.Count > 0))
        {
            if (family.Help is not null)
            {
                output.Append(family.Help).Append('\n');
            }
            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type ?? "untyped").Append('\n');
            foreach (var key in family.Order)
            {
                output.Append(key).Append(' ').Append(Format(family.Samples[key])).Append('\n');
            }
            output.Append('\n');
        }
        return output.ToString();
    }

    /// <summary>A sample line's name with its labels, and its value; the timestamp is dropped (the merge is "now").</summary>
    private static (string? Key, double Value) Sample(string line)
    {
        var labelsEnd = line.IndexOf('}', StringComparison.Ordinal);
        var space = line.IndexOf(' ', labelsEnd < 0 ? 0 : labelsEnd);
        if (space <= 0)
        {
            return (null, 0);
        }
        var rest = line[(space + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.Length > 0 && double.TryParse(rest[0] switch { "+Inf" => "Infinity", "-Inf" => "-Infinity", var v => v },
            NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? (line[..space], value)
            : (null, 0);
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string? Help { get; set; }
        public string? Type { get; set; }
        public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);
        public List<string> Order { get; } = [];
    }
}
