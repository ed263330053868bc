using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HlsGateway.Access;

namespace HlsGateway.Operations;

/// <summary>
/// Formats <see cref="AccessLogEntry"/> lines as UTF-8 into a reused buffer, on the writer's thread.
/// Text: <c>time client method target status bytes duration_ms cache origin_ms</c> ('-' where unknown).
/// Json: <c>{"time","client","method","target","status","bytes","durationMs","cache","originMs"}</c>.
/// In the target the values of the signature parameters (and <c>token</c>) are replaced by <c>REDACTED</c>.
/// </summary>
internal sealed class AccessLogFormatter(bool json)
{
    public const string Redacted = "REDACTED";

    private static readonly string[] RedactedNames = [UrlSignature.Sig, UrlSignature.Exp, UrlSignature.Kid, UrlSignature.Acl, UrlSignature.Ip, "token"];
    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time"), ClientName = JsonEncodedText.Encode("client"),
        MethodName = JsonEncodedText.Encode("method"), TargetName = JsonEncodedText.Encode("target"), StatusName = JsonEncodedText.Encode("status"),
        BytesName = JsonEncodedText.Encode("bytes"), DurationName = JsonEncodedText.Encode("durationMs"), CacheName = JsonEncodedText.Encode("cache"),
        OriginName = JsonEncodedText.Encode("originMs");

    private readonly ArrayBufferWriter<byte> _target = new(512);
    private Utf8JsonWriter? _json;

    /// <summary>Appends one line (with its '\n') to <paramref name="output"/>.</summary>
    public void Write(in AccessLogEntry e, IBufferWriter<byte> output)
    {
        _target.ResetWrittenCount();
        WriteRedactedTarget(e.Target, _target);
        if (json)
        {
            WriteJson(e, output);
        }
        else
        {
            WriteText(e, output);
        }
    }

    /// <summary>The target with signature values redacted (for tests and the logger destination).</summary>
    public static string RedactTarget(string target)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteRedactedTarget(target, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WriteText(in AccessLogEntry e, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(_target.WrittenCount + (3 * (e.Method.Length + (e.Cache?.Length ?? 0))) + 160);
        var n = 0;
        e.Time.UtcDateTime.TryFormat(span, out var w, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        n += w;
        span[n++] = (byte)' ';
        n += WriteClient(e, span[n..]);
        span[n++] = (byte)' ';
        n += Encoding.UTF8.GetBytes(e.Method, span[n..]);
        span[n++] = (byte)' ';
        _target.WrittenSpan.CopyTo(span[n..]);
        n += _target.WrittenCount;
        span[n++] = (byte)' ';
        Utf8Formatter.TryFormat(e.Status, span[n..], out w);
        n += w;
        span[n++] = (byte)' ';
        n += e.Bytes >= 0 ? Formatted(e.Bytes, span[n..]) : Dash(span[n..]);
        span[n++] = (byte)' ';
        e.DurationSeconds.TryFormat(span[n..], out w, "0.000", CultureInfo.InvariantCulture);
        n += w;
        span[n++] = (byte)' ';
        n += string.IsNullOrEmpty(e.Cache) ? Dash(span[n..]) : Encoding.UTF8.GetBytes(e.Cache, span[n..]);
        span[n++] = (byte)' ';
        if (e.OriginSeconds >= 0)
        {
            (e.OriginSeconds * 1000).TryFormat(span[n..], out w, "0.000", CultureInfo.InvariantCulture);
            n += w;
        }
        else
        {
            n += Dash(span[n..]);
        }
        span[n++] = (byte)'\n';
        output.Advance(n);
    }

    private void WriteJson(in AccessLogEntry e, IBufferWriter<byte> output)
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            _json.Reset(output);
        }
        var j = _json;
        Span<byte> scratch = stackalloc byte[64];
        j.WriteStartObject();
        e.Time.UtcDateTime.TryFormat(scratch, out var w, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        j.WriteString(TimeName, scratch[..w]);
        if (e.Client is null)
        {
            j.WriteNull(ClientName);
        }
        else
        {
            j.WriteString(ClientName, scratch[..WriteClient(e, scratch)]);
        }
        j.WriteString(MethodName, e.Method);
        j.WriteString(TargetName, _target.WrittenSpan);
        j.WriteNumber(StatusName, e.Status);
        if (e.Bytes >= 0)
        {
            j.WriteNumber(BytesName, e.Bytes);
        }
        else
        {
            j.WriteNull(BytesName);
        }
        j.WriteNumber(DurationName, Math.Round(e.DurationSeconds * 1000, 3));
        if (string.IsNullOrEmpty(e.Cache))
        {
            j.WriteNull(CacheName);
        }
        else
        {
            j.WriteString(CacheName, e.Cache);
        }
        if (e.OriginSeconds >= 0)
        {
            j.WriteNumber(OriginName, Math.Round(e.OriginSeconds * 1000, 3));
        }
        else
        {
            j.WriteNull(OriginName);
        }
        j.WriteEndObject();
        j.Flush();
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }

    private static int WriteClient(in AccessLogEntry e, Span<byte> span)
    {
        var ip = e.Client;
        if (ip is null)
        {
            return Dash(span);
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        return ip.TryFormat(span, out int w) ? w : Dash(span);
    }

    /// <summary>Copies the target as UTF-8, replacing the values of <see cref="RedactedNames"/> in the query.</summary>
    private static void WriteRedactedTarget(string target, IBufferWriter<byte> output)
    {
        var q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            Append(target, output);
            return;
        }
        Append(target.AsSpan(0, q + 1), output);
        var query = target.AsSpan(q + 1);
        var first = true;
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            if (!first)
            {
                Append("&", output);
            }
            first = false;
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (eq >= 0 && IsRedacted(name))
            {
                Append(pair[..(eq + 1)], output);
                Append(Redacted, output);
            }
            else
            {
                Append(pair, output);
            }
        }
    }

    private static bool IsRedacted(ReadOnlySpan<char> name)
    {
        foreach (var r in RedactedNames)
        {
            if (name.Equals(r, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static void Append(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static int Formatted(long value, Span<byte> span) => Utf8Formatter.TryFormat(value, span, out var w) ? w : 0;

    private static int Dash(Span<byte> span)
    {
        span[0] = (byte)'-';
        return 1;
    }
}
