using System.Text.Json.Serialization;
using Shop.Rest;

namespace Shop.Features.Goods.Imports;

public sealed record ImportFailure(int Line, string Error);

/// <summary>An import's result: <c>{created, updated, failed: [{line, error}]}</c>.</summary>
public sealed record ImportResult(int Created, int Updated, IReadOnlyList<ImportFailure> Failed);

[JsonSerializable(typeof(ImportResult))]
[JsonSerializable(typeof(GoodsWrite[]))]
public sealed partial class ImportJson : JsonSerializerContext
{
    /// <summary>The import records in the wire format (<see cref="WireJson"/>).</summary>
    public static ImportJson Wire { get; } = new(WireJson.Options());
}
