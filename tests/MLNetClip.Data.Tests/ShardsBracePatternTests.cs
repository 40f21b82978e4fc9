using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Tests;

public class ShardsBracePatternTests
{
    [Fact]
    public void ZeroPaddedRangeKeepsItsWidth()
    {
        var names = BracePattern.Expand("/d/shards-{000000..000127}.tar");
        Assert.Equal(128, names.Count);
        Assert.Equal("/d/shards-000000.tar", names[0]);
        Assert.Equal("/d/shards-000127.tar", names[^1]);
    }

    [Fact]
    public void ListsGroupsNestingDescendingRangesAndDoubleColons()
    {
        Assert.Equal(["a-0.tar", "a-1.tar", "b-0.tar", "b-1.tar"], BracePattern.Expand("{a,b}-{0..1}.tar"));
        Assert.Equal(["x1", "x2", "x3", "y"], BracePattern.Expand("{x{1..3},y}"));
        Assert.Equal(["3", "2", "1"], BracePattern.Expand("{3..1}"));
        Assert.Equal(["p", "q-0", "q-1"], BracePattern.Expand("p::q-{0..1}"));
        Assert.Equal(["plain.tar"], BracePattern.Expand("plain.tar"));
        Assert.Equal(["s-.tar", "s-x.tar"], BracePattern.Expand("s-{,x}.tar"));
    }

    [Theory]
    [InlineData("s-{0..3.tar", "never closed")]
    [InlineData("s-}0.tar", "without a matching")]
    [InlineData("s-{abc}.tar", "neither a list")]
    [InlineData("s-{1..x}.tar", "neither a list")]
    [InlineData("a::::b", "empty pattern")]
    [InlineData("{0..99999999999}", "more than")]
    public void MalformedPatternsAreErrorsThatQuoteThePattern(string pattern, string why)
    {
        var ex = Assert.Throws<ArgumentException>(() => BracePattern.Expand(pattern));
        Assert.Contains(pattern, ex.Message);
        Assert.Contains(why, ex.Message);
    }

    /// <summary>Bash's own brace expansion is the reference for everything both understand.</summary>
    [FactWhenTool("bash")]
    public void MatchesBash()
    {
        string[] patterns =
        [
            "shards-{000000..000012}.tar", "{a,b,c}{1..3}", "x{0..10}y", "{10..8}", "{-2..2}", "{007..9}",
            "pre{a,b{1..2},c}post", "{a,b}/{c,d}/{e,f}.tar", "{00..3}-{x,y}",
        ];
        foreach (var p in patterns)
        {
            var bash = Tool.RunText("bash", "-c", $"printf '%s\\n' {p}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(bash, BracePattern.Expand(p));
        }
    }
}
