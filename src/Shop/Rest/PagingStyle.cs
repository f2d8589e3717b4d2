namespace Shop.Rest;

/// <summary>Which paging style the client used; links are answered in the same style.</summary>
public enum PagingStyle { Page, Offset }
