using HlsGateway.Recorder.Storage;

namespace HlsGateway.Tests.Storage;

public class OutputPathGuardTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "rec-root");

    [Theory]
    [InlineData("news/20260101-000000-part001.ts", true)]
    [InlineData("a.ts", true)]
    [InlineData("deep/er/x.ts", true)]
    [InlineData("../escape.ts", false)]
    [InlineData("news/../../escape.ts", false)]
    [InlineData("news/./x.ts", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("~/x.ts", false)]
    [InlineData("news//x.ts", false)]
    [InlineData("news/ x.ts", false)]
    [InlineData("", false)]
    [InlineData("..", false)]
    [InlineData("news\\..\\..\\x.ts", false)]
    [InlineData("a\0b.ts", false)]
    public void Resolve_keeps_paths_inside_the_root(string relative, bool ok)
    {
        Assert.Equal(ok, OutputPathGuard.TryResolve(Root, relative, out var full));
        if (ok)
        {
            Assert.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, full);
        }
    }

    [Theory]
    [InlineData("news", true)]
    [InlineData("news-1_HD", true)]
    [InlineData("", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("ä", false)]
    public void Recording_names(string name, bool ok) => Assert.Equal(ok, OutputPathGuard.IsSafeName(name));

    [Theory]
    [InlineData("/root", "/root/x", true)]
    [InlineData("/root", "/rootx/y", false)]
    [InlineData("/root", "/root", false)]
    [InlineData("/root/", "/root/a/b", true)]
    public void Within(string root, string path, bool ok) => Assert.Equal(ok, OutputPathGuard.IsWithin(root, path));

    [Fact]
    public void Template_renders_tokens_and_rejects_unsafe_templates()
    {
        var t = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        Assert.Equal("news/20260304-050607-part007", FileNameTemplate.Render("{stream}/{startUtc:yyyyMMdd-HHmmss}-part{part:000}", "news", t, 7));
        Assert.Equal("news-2026-012", FileNameTemplate.Render("{stream}-{startUtc:yyyy}-{part}", "news", t, 12));
        Assert.True(FileNameTemplate.TryValidate("{stream}/{part}", out _));
        Assert.False(FileNameTemplate.TryValidate("../{stream}/{part}", out _));
        Assert.False(FileNameTemplate.TryValidate("/abs/{part}", out _));
        Assert.False(FileNameTemplate.TryValidate("{stream}", out var noPart));
        Assert.Contains("{part}", noPart);
        Assert.False(FileNameTemplate.TryValidate("{bogus}{part}", out var unknown));
        Assert.Contains("bogus", unknown);
    }
}
