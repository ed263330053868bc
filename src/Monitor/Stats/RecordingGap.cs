namespace HlsGateway.Monitor.Stats;

/// <summary>A gap ledger entry as /stats shows it: the missing media sequences (inclusive), their length and why.</summary>
public sealed record RecordingGap(long From, long To, double DurationSeconds, string Reason, DateTimeOffset At);
