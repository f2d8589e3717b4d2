namespace Shop.Rest;

/// <summary>
/// Neutralises spreadsheet formulas in CSV text cells as OWASP recommends ("CSV Injection"): a text
/// cell starting with <c>=</c> <c>+</c> <c>-</c> <c>@</c>, TAB or CR gets a leading <c>'</c>, so a
/// spreadsheet shows it as text instead of running it. Hand-written because CsvHelper's injection
/// option sees only strings and would also change numbers such as <c>-5</c>; here only text fields
/// pass through it, and JSON answers are never touched.
/// </summary>
public static class CsvCells
{
    public static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
