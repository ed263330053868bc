namespace HlsGateway.Demo;

/// <summary>A resolved demo origin response: the bytes and the headers that go with them.</summary>
internal readonly record struct DemoResource(byte[] Body, string ContentType, string CacheControl);
