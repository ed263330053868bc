using System.Runtime.InteropServices;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Starts child processes (ffmpeg, ffprobe) at a lower CPU priority than the gateway, so a remux never takes
/// CPU from players on a busy machine. FFMpegCore has no priority option; on Linux the nice value is a
/// per-thread attribute that a forked child inherits from the thread that forked it, and Process.Start
/// forks on the calling thread. So the start runs, up to its first await, on a short-lived thread whose
/// nice value was raised; the rest continues on the thread pool as usual.
/// </summary>
internal static class NicedStart
{
    public static Task<T> RunAsync<T>(int nice, Func<Task<T>> start)
    {
        if (nice <= 0 || !OperatingSystem.IsLinux())
        {
            return start();
        }
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            // best effort: without the permission (never needed to lower priority) it simply starts at normal priority
            _ = setpriority(PrioProcess, gettid(), nice);
            try
            {
                started.SetResult(start());
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "niced process start",
        };
        thread.Start();
        return started.Task.Unwrap();
    }

    private const int PrioProcess = 0;

    // blittable signatures: DllImport needs no marshalling code (LibraryImport would want unsafe blocks here)
    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
