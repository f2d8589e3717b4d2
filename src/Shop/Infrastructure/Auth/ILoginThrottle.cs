namespace Shop.Infrastructure.Auth;

/// <summary>
/// Limits password guesses per username: the login module's throttle, which the users module also
/// counts a wrong <c>current_password</c> towards.
/// </summary>
public interface ILoginThrottle
{
    /// <summary>Starts an attempt for <paramref name="username"/> (a 429 when it is locked out); dispose it when done.</summary>
    Task<IAsyncDisposable> BeginAttemptAsync(string username, CancellationToken cancellationToken);

    Task FailedAsync(string username, CancellationToken cancellationToken);

    Task SucceededAsync(string username, CancellationToken cancellationToken);
}
