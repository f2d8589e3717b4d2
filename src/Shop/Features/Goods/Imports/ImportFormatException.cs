namespace Shop.Features.Goods.Imports;

/// <summary>
/// The upload as a whole cannot be taken: it cannot be read (a bad header, malformed JSON: 400) or
/// holds more rows than an import may (413, like a file over 20 MiB: the content is too large).
/// </summary>
public sealed class ImportFormatException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int Status { get; } = status;
}
