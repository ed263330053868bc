namespace HlsGateway.Hls.Tests;

/// <summary>The example playlists of RFC 8216 §8 and rfc8216bis (draft 17) §9 / Appendix, verbatim but for line breaks.</summary>
internal static class RfcExamples
{
    public const string SimpleMedia = """
        #EXTM3U
        #EXT-X-TARGETDURATION:10
        #EXT-X-VERSION:3
        #EXTINF:9.009,
        http://media.example.com/first.ts
        #EXTINF:9.009,
        http://media.example.com/second.ts
        #EXTINF:3.003,
        http://media.example.com/third.ts
        #EXT-X-ENDLIST

        """;

    public const string LiveMedia = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:8
        #EXT-X-MEDIA-SEQUENCE:2680

        #EXTINF:7.975,
        https://priv.example.com/fileSequence2680.ts
        #EXTINF:7.941,
        https://priv.example.com/fileSequence2681.ts
        #EXTINF:7.975,
        https://priv.example.com/fileSequence2682.ts

        """;

    public const string Encrypted = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-MEDIA-SEQUENCE:7794
        #EXT-X-TARGETDURATION:15

        #EXT-X-KEY:METHOD=AES-128,URI="https://priv.example.com/key.php?r=52"

        #EXTINF:2.833,
        http://media.example.com/fileSequence52-A.ts
        #EXTINF:15.0,
        http://media.example.com/fileSequence52-B.ts
        #EXTINF:13.333,
        http://media.example.com/fileSequence52-C.ts

        #EXT-X-KEY:METHOD=AES-128,URI="https://priv.example.com/key.php?r=53"

        #EXTINF:15.0,
        http://media.example.com/fileSequence53-A.ts

        """;

    public const string Master = """
        #EXTM3U
        #EXT-X-STREAM-INF:BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000
        http://example.com/low.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=2560000,AVERAGE-BANDWIDTH=2000000
        http://example.com/mid.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=7680000,AVERAGE-BANDWIDTH=6000000
        http://example.com/hi.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=65000,CODECS="mp4a.40.5"
        http://example.com/audio-only.m3u8

        """;

    public const string IFrames = """
        #EXTM3U
        #EXT-X-STREAM-INF:BANDWIDTH=1280000
        low/audio-video.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI="low/iframe.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=2560000
        mid/audio-video.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,URI="mid/iframe.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=7680000
        hi/audio-video.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=550000,URI="hi/iframe.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=65000,CODECS="mp4a.40.5"
        audio-only.m3u8

        """;

    public const string AudioAlternatives = """
        #EXTM3U
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,URI="main/english-audio.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="de",NAME="Deutsch",DEFAULT=NO,AUTOSELECT=YES,URI="main/german-audio.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="Commentary",DEFAULT=NO,AUTOSELECT=NO,URI="commentary/audio-only.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=1280000,CODECS="...",AUDIO="aac"
        low/video-only.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=2560000,CODECS="...",AUDIO="aac"
        mid/video-only.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=7680000,CODECS="...",AUDIO="aac"
        hi/video-only.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=65000,CODECS="mp4a.40.5",AUDIO="aac"
        main/english-audio.m3u8

        """;

    public const string SessionDataAndSteering = """
        #EXTM3U
        #EXT-X-DEFINE:NAME="host",VALUE="example.com"
        #EXT-X-SESSION-DATA:DATA-ID="com.example.lyrics",URI="lyrics.json"
        #EXT-X-SESSION-DATA:DATA-ID="com.example.title",LANGUAGE="en",VALUE="This is an example"
        #EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://key-id",KEYFORMAT="com.apple.streamingkeydelivery"
        #EXT-X-CONTENT-STEERING:SERVER-URI="https://steering.example.com/manifest.json",PATHWAY-ID="CDN-A"
        #EXT-X-STREAM-INF:BANDWIDTH=1280000,PATHWAY-ID="CDN-A"
        https://a.example.com/low.m3u8

        """;

    /// <summary>rfc8216bis Appendix: a low-latency playlist with parts, a preload hint, a rendition report and a delta skip.</summary>
    public const string LowLatency = """
        #EXTM3U
        #EXT-X-TARGETDURATION:4
        #EXT-X-VERSION:6
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0
        #EXT-X-PART-INF:PART-TARGET=0.33334
        #EXT-X-MEDIA-SEQUENCE:266
        #EXT-X-SKIP:SKIPPED-SEGMENTS=3
        #EXT-X-PROGRAM-DATE-TIME:2019-02-14T02:13:36.106Z
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:4.00008,
        fileSequence269.mp4
        #EXT-X-PART:DURATION=0.33334,URI="filePart270.0.mp4"
        #EXT-X-PART:DURATION=0.33334,URI="filePart270.1.mp4",INDEPENDENT=YES
        #EXTINF:4.00008,
        fileSequence270.mp4
        #EXT-X-PART:DURATION=0.33334,URI="filePart271.0.mp4",INDEPENDENT=YES
        #EXT-X-PRELOAD-HINT:TYPE=PART,URI="filePart271.1.mp4"
        #EXT-X-RENDITION-REPORT:URI="../1M/waitForMSN.php",LAST-MSN=273,LAST-PART=2
        #EXT-X-DATERANGE:ID="ad1",CLASS="com.apple.hls.interstitial",START-DATE="2019-02-14T02:13:40.000Z",X-ASSET-URI="ads/ad1.m3u8"

        """;
}
