using Shop.Infrastructure.Data;

namespace Shop.Features.Users;

/// <summary>What the user handlers take from the container, bound with <c>[AsParameters]</c> (eShop's services record).</summary>
public sealed record UserServices(ShopDb Db, UserAccounts Accounts, ILoggerFactory Logs);
