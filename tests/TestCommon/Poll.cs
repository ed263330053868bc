namespace HlsGateway.Tests.Common;

/// <summary>
/// Waits on a condition with a deadline instead of a fixed sleep (a loaded CI machine is slow, never wrong). The one
/// polling helper of the test projects: a Redis timeout or connection error while polling counts as "not yet", and
/// the condition is awaited, never blocked on (a sync Redis read here once starved the pool on CI).
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what = "the condition") =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what = "the condition")
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            bool met;
            try
            {
                met = await condition();
            }
            catch (StackExchange.Redis.RedisException)
            {
                met = false;
            }
            if (met)
            {
                return;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            }
            await Task.Delay(Interval);
        }
    }
}
