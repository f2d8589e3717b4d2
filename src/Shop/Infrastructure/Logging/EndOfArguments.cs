namespace Shop.Infrastructure.Logging;

/// <summary>
/// Stands between a call's message arguments and the compiler-filled caller parameters, so that a
/// string argument can never be taken for the member name by overload resolution.
/// </summary>
public readonly struct EndOfArguments;
