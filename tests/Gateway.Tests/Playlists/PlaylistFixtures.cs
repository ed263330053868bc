namespace HlsGateway.Tests.Playlists;

/// <summary>
/// Playlists modelled on RFC 8216 (section 8 examples) and the LL-HLS additions (RFC 8216bis), with every
/// URI-bearing tag, relative, root-relative and absolute references, and two foreign hosts that must be refused.
/// {ORIGIN} is replaced by the test origin's base URL, {ROOT} by its base path ("" at the root).
/// </summary>
internal static class PlaylistFixtures
{
    public const string Master = """
        #EXTM3U
        #EXT-X-VERSION:9
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-SESSION-DATA:DATA-ID="com.example.title",URI="meta/title.json"
        #EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/session.key",IV=0x00000000000000000000000000000001
        #EXT-X-CONTENT-STEERING:SERVER-URI="https://steer.example.com/steer.json",PATHWAY-ID="CDN-A"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="de",NAME="Deutsch, Stereo",DEFAULT=NO,AUTOSELECT=YES,URI="{ORIGIN}/live/audio/de/index.m3u8"
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/en/index.m3u8"
        #EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="CC1",INSTREAM-ID="CC1"
        #EXT-X-STREAM-INF:BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO="aud",SUBTITLES="subs",CLOSED-CAPTIONS="cc"
        v360/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=2560000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aud",SUBTITLES="subs",CLOSED-CAPTIONS="cc"
        {ROOT}/live/v720/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=640000,RESOLUTION=320x180,AUDIO="aud"
        http://evil.example.com/steal.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,CODECS="avc1.4d401f",RESOLUTION=640x360,URI="v360/iframes.m3u8"

        """;

    /// <summary>LL-HLS media playlist with KEY (AES-128 and skd), MAP, byte ranges, parts, preload hint, rendition reports, an interstitial.</summary>
    public const string V360 = """
        #EXTM3U
        #EXT-X-VERSION:9
        #EXT-X-TARGETDURATION:4
        #EXT-X-PART-INF:PART-TARGET=1.0
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0
        #EXT-X-MEDIA-SEQUENCE:100
        #EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
        #EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.key",IV=0x0000000000000000000000000000000A
        #EXTINF:4.000,
        seg100.m4s
        #EXT-X-BYTERANGE:5000@0
        #EXTINF:4.000,
        media.m4s
        #EXT-X-BYTERANGE:5000
        #EXTINF:4.000,
        media.m4s?token=abc&sig=bogus
        #EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key-id-123",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
        #EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:12.000Z
        #EXT-X-DATERANGE:ID="ad1",START-DATE="2024-01-01T00:00:12.000Z",CLASS="com.apple.hls.interstitial",X-ASSET-URI="ads/ad1.m3u8"
        #EXT-X-PART:DURATION=1.0,URI="seg103.part0.m4s",INDEPENDENT=YES
        #EXT-X-PART:DURATION=1.0,URI="seg103.part1.m4s"
        #EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg103.part2.m4s"
        #EXT-X-RENDITION-REPORT:URI="../v720/index.m3u8",LAST-MSN=103,LAST-PART=1
        #EXT-X-RENDITION-REPORT:URI="https://evil.example.com/x.m3u8",LAST-MSN=103,LAST-PART=1

        """;

    public const string SimpleMedia = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:4
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:4.0,
        seg0.m4s
        #EXTINF:4.0,
        seg1.m4s
        #EXT-X-ENDLIST

        """;

    public const string IFrames = """
        #EXTM3U
        #EXT-X-VERSION:4
        #EXT-X-TARGETDURATION:4
        #EXT-X-I-FRAMES-ONLY
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:4.0,
        #EXT-X-BYTERANGE:1000@0
        seg100.m4s
        #EXT-X-ENDLIST

        """;

    public const string Subtitles = """
        #EXTM3U
        #EXT-X-TARGETDURATION:4
        #EXTINF:4.0,
        sub0.vtt
        #EXT-X-ENDLIST

        """;
}
