namespace Shop.Rest;

/// <summary>The representations Shop produces.</summary>
public enum Representation { Json, Csv }
