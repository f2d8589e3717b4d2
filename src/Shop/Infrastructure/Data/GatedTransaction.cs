using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Infrastructure.Data;

/// <summary>A write transaction that holds the <see cref="WriteGate"/> until it is disposed.</summary>
public sealed class GatedTransaction(IDbContextTransaction transaction, IDisposable gate) : IAsyncDisposable
{
    public IDbContextTransaction Transaction => transaction;

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.DisposeAsync();
        }
        finally
        {
            gate.Dispose();
        }
    }
}
