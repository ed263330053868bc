using System.Buffers.Binary;
using System.Text;
using HlsGateway.Monitor.Metrics;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Caching;

/// <summary>
/// A cached origin response: status, the few headers a player needs, the body, and its freshness.
/// Held as-is in the memory tier (header values pre-built so a hit allocates nothing) and
/// serialised with <see cref="Serialize"/> for the shared (Redis) tier.
/// </summary>
internal sealed class CacheEntry
{
    private const uint Magic = 0x31434748; // "HGC1"

    public CacheEntry(int statusCode, RouteKind kind, DateTimeOffset created, DateTimeOffset freshUntil, string? contentType, string? etag, string? lastModified, byte[] body)
    {
        StatusCode = statusCode;
        Kind = kind;
        Created = created;
        FreshUntil = freshUntil;
        ContentType = contentType;
        ETag = etag;
        LastModified = lastModified;
        Body = body;
        ContentTypeValue = contentType is null ? StringValues.Empty : new StringValues(contentType);
        ETagValue = etag is null ? StringValues.Empty : new StringValues(etag);
        LastModifiedValue = lastModified is null ? StringValues.Empty : new StringValues(lastModified);
    }

    public int StatusCode { get; }

    public RouteKind Kind { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset FreshUntil { get; }

    public string? ContentType { get; }

    public string? ETag { get; }

    public string? LastModified { get; }

    public byte[] Body { get; }

    public StringValues ContentTypeValue { get; }

    public StringValues ETagValue { get; }

    public StringValues LastModifiedValue { get; }

    public TimeSpan FreshFor => FreshUntil - Created;

    public bool IsFresh(DateTimeOffset now) => now < FreshUntil;

    /// <summary>
    /// May be served while a background refresh runs (stale-while-revalidate): segments and VOD media playlists,
    /// whose content does not change under the same URI. Live playlists and masters never are. Decided once per entry.
    /// </summary>
    public bool IsImmutableContent
    {
        get
        {
            var known = Volatile.Read(ref _immutable);
            if (known == 0)
            {
                known = StatusCode == 200 && (Kind == RouteKind.Segment || Kind == RouteKind.MediaPlaylist && Hls.PlaylistInspector.Inspect(Body).IsEndList) ? 1 : 2;
                Volatile.Write(ref _immutable, known);
            }
            return known == 1;
        }
    }

    private int _immutable; // 0 unknown, 1 yes, 2 no

    /// <summary>Bytes this entry costs in the memory tier (the size unit of its bound).</summary>
    public long Size => Body.Length + 256;

    public byte[] Serialize()
    {
        var ct = Encoding.ASCII.GetBytes(ContentType ?? string.Empty);
        var et = Encoding.ASCII.GetBytes(ETag ?? string.Empty);
        var lm = Encoding.ASCII.GetBytes(LastModified ?? string.Empty);
        var size = 4 + 4 + 1 + 8 + 8 + 2 + ct.Length + 2 + et.Length + 2 + lm.Length + Body.Length;
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], StatusCode);
        span[8] = (byte)Kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[9..], Created.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], FreshUntil.ToUnixTimeMilliseconds());
        var pos = 25;
        foreach (var field in (ReadOnlySpan<byte[]>)[ct, et, lm])
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[pos..], (ushort)field.Length);
            pos += 2;
            field.CopyTo(span[pos..]);
            pos += field.Length;
        }
        Body.CopyTo(span[pos..]);
        return buffer;
    }

    /// <summary>Parses what <see cref="Serialize"/> wrote; null for anything else (a foreign or corrupt value is a miss).</summary>
    public static CacheEntry? TryDeserialize(byte[]? data)
    {
        if (data is null || data.Length < 31 || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic)
        {
            return null;
        }
        var span = data.AsSpan();
        var status = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var kind = (RouteKind)span[8];
        var created = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[9..]));
        var fresh = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[17..]));
        var pos = 25;
        Span<string?> fields = new string?[3];
        for (var i = 0; i < 3; i++)
        {
            if (pos + 2 > span.Length)
            {
                return null;
            }
            int len = BinaryPrimitives.ReadUInt16LittleEndian(span[pos..]);
            pos += 2;
            if (pos + len > span.Length)
            {
                return null;
            }
            fields[i] = len == 0 ? null : Encoding.ASCII.GetString(span.Slice(pos, len));
            pos += len;
        }
        return new CacheEntry(status, kind, created, fresh, fields[0], fields[1], fields[2], span[pos..].ToArray());
    }
}
