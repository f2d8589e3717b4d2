namespace Shop.Rest;

/// <summary>Marks an endpoint whose answer can also be <c>text/csv</c> (the collections).</summary>
public sealed class ProducesCsvAttribute : Attribute;
