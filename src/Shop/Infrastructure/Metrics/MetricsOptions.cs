namespace Shop.Infrastructure.Metrics;

/// <summary>What <see cref="MetricsSetup"/> is told.</summary>
/// <param name="OtlpEndpoint">An OpenTelemetry collector to export traces and metrics to; null = no export.</param>
/// <param name="OtlpProtocol"><c>grpc</c> (port 4317 by convention) or <c>http/protobuf</c> (port 4318).</param>
/// <param name="SnapshotFolder">In a worker of a master: the folder where each worker leaves its counts
/// for the others to add to theirs (<see cref="MetricsSnapshots"/>); null in a single process.</param>
public sealed record MetricsOptions(Uri? OtlpEndpoint = null, string OtlpProtocol = "grpc", string? SnapshotFolder = null);
