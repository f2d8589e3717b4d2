namespace Shop.Rest;

public static class CallerRules
{
    public static RouteHandlerBuilder CalledBy(this RouteHandlerBuilder builder, string who) => builder.WithMetadata(new CallerRule(who));
}
