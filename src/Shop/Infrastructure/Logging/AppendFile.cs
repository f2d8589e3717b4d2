using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// A file opened with <c>O_APPEND</c>: every write lands whole at the end of the file as it is at that
/// moment, however many processes append to it at once (on a local file system the kernel holds the
/// file for the whole write), so their lines never interleave or overwrite each other. Hand-written
/// because .NET's <see cref="FileMode.Append"/> seeks to the end once and then writes at its own
/// position, which overwrites what another process appended meanwhile.
/// </summary>
public sealed class AppendFile : IDisposable
{
    private const int Eintr = 4;

    private readonly SafeFileHandle _handle;

    private AppendFile(SafeFileHandle handle) => _handle = handle;

    /// <summary>Opens <paramref name="path"/> for appending, creating it and its folder; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> as <see cref="File.Open(string, FileMode)"/> does.</summary>
    public static AppendFile Open(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
        // Created (or found) by .NET first, which gives its usual exceptions and file mode; then opened
        // again with O_APPEND (open's mode argument is variadic, which P/Invoke cannot pass everywhere).
        var created = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (OperatingSystem.IsWindows())
        {
            // No O_APPEND there; one process per file, as Shop runs no workers on Windows.
            return new(created);
        }
        created.Dispose();
        var fd = OpenFile(path, OperatingSystem.IsMacOS() ? 0x1 | 0x8 | 0x1000000 : 0x1 | 0x400 | 0x80000); // O_WRONLY | O_APPEND | O_CLOEXEC
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{Path.GetFullPath(path)}'", errno);
        }
        return new(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// Appends the first <paramref name="count"/> bytes of <paramref name="buffer"/> with one write.
    /// False when they did not fit (a full disk): the part that reached the file is cut off again unless
    /// another process appended after it, so the next line starts at a line start.
    /// </summary>
    public bool TryAppend(byte[] buffer, int count)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                RandomAccess.Write(_handle, buffer.AsSpan(0, count), RandomAccess.GetLength(_handle));
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
        nint written;
        do
        {
            written = Write(_handle, buffer, count);
        }
        while (written < 0 && Marshal.GetLastPInvokeError() == Eintr);
        if (written == count)
        {
            return true;
        }
        if (written > 0)
        {
            // After an O_APPEND write the offset is the end of what this write put there.
            var end = Seek(_handle, 0, 1); // SEEK_CUR
            if (end > 0 && end == RandomAccess.GetLength(_handle))
            {
                _ = Truncate(_handle, end - written);
            }
        }
        return false;
    }

    public void Dispose() => _handle.Dispose();

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenFile([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint Write(SafeFileHandle fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long Seek(SafeFileHandle fd, long offset, int whence);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int Truncate(SafeFileHandle fd, long length);
}
