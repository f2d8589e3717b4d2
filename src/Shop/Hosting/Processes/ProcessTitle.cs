namespace Shop.Hosting.Processes;

/// <summary>
/// Names this process as <c>ps</c> and <c>top</c> show it (<c>/proc/PID/comm</c>): <c>NAME: master</c>,
/// <c>NAME: worker</c>, or the plain <c>proc_name</c> of a single process. Linux keeps 15 bytes of
/// it, so a long <c>proc_name</c> is cut; <c>/proc/self/comm</c> names the main thread, which is the
/// one <c>ps</c> shows, whichever thread writes it.
/// </summary>
public static class ProcessTitle
{
    public const int MaxBytes = 15;

    public static void Set(string title)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(title);
        var length = Math.Min(bytes.Length, MaxBytes);
        // A cut inside a multi-byte character would leave half of it.
        while (length > 0 && length < bytes.Length && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        try
        {
            File.WriteAllBytes("/proc/self/comm", bytes[..length]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is not mounted: the name is cosmetic.
        }
    }
}
