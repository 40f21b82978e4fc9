using System.Formats.Tar;
using System.Text;
using MLNetClip.Data.Datasets;
using SysTar = System.Formats.Tar;
using TarEntryType = MLNetClip.Data.Shards.TarEntryType;
using TarReader = MLNetClip.Data.Shards.TarReader;
using TarWriter = MLNetClip.Data.Shards.TarWriter;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Our tar reader and writer checked against two independent implementations: GNU tar and
/// .NET's System.Formats.Tar. Each writes archives ours must read, and reads archives ours write.
/// </summary>
public class ShardsTarTests
{
    private static readonly string LongName = string.Join("/", Enumerable.Range(0, 12).Select(i => $"folder{i:D2}")) + "/sample.with.dots.png";

    private static Dictionary<string, byte[]> Members() => new()
    {
        ["a.txt"] = Encoding.UTF8.GetBytes("hello"),
        ["empty.png"] = [],
        ["block.bin"] = Enumerable.Range(0, 512).Select(i => (byte)i).ToArray(),
        ["dir/odd.bin"] = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray(),
        [LongName] = TestPng.Make(3, 3, 5),
        ["ünïcödé/名前.txt"] = Encoding.UTF8.GetBytes("non-ascii name"),
    };

    [Theory]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public void ReadsWhatSystemFormatsTarWrites(TarEntryFormat format)
    {
        var members = Members();
        if (format == TarEntryFormat.Ustar) members.Remove("ünïcödé/名前.txt");
        var archive = new MemoryStream();
        using (var writer = new SysTar.TarWriter(archive, format, leaveOpen: true))
        {
            writer.WriteEntry(Entry(format, SysTar.TarEntryType.Directory, "dir/", null));
            foreach (var (name, data) in members) writer.WriteEntry(Entry(format, RegularType(format), name, data));
        }
        archive.Position = 0;

        using var reader = new TarReader(archive, "mem.tar");
        var entries = reader.Entries().ToList();

        Assert.Equal(TarEntryType.Directory, entries[0].Type);
        var files = entries.Where(e => e.Type == TarEntryType.File).ToDictionary(e => e.Name, e => e.Data!);
        Assert.Equal(members.Keys.Order(), files.Keys.Order());
        foreach (var (name, data) in members) Assert.Equal(data, files[name]);
    }

    [Fact]
    public void SystemFormatsTarReadsWhatWeWrite()
    {
        var members = Members();
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, leaveOpen: true))
            foreach (var (name, data) in members) writer.WriteFile(name, data);
        Assert.Equal(0, archive.Length % (20 * 512));
        archive.Position = 0;

        var read = new Dictionary<string, byte[]>();
        using (var reader = new SysTar.TarReader(archive))
            while (reader.GetNextEntry() is { } e)
            {
                var copy = new MemoryStream();
                e.DataStream?.CopyTo(copy);
                read[e.Name] = copy.ToArray();
            }
        Assert.Equal(members.Keys.Order(), read.Keys.Order());
        foreach (var (name, data) in members) Assert.Equal(data, read[name]);
    }

    [FactWhenTool("tar")]
    public void GnuTarListsAndExtractsWhatWeWriteByteForByte()
    {
        using var dir = new TempDirectory();
        var members = Members();
        var path = dir.File("ours.tar");
        using (var writer = new TarWriter(File.Create(path)))
            foreach (var (name, data) in members) writer.WriteFile(name, data);

        var listed = Tool.RunText("tar", "-tf", path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(members.Keys, listed);
        foreach (var (name, data) in members)
        {
            var (code, stdout, stderr) = Tool.Run("tar", ["-xOf", path, name]);
            Assert.True(code == 0, stderr);
            Assert.Equal(data, stdout);
        }
    }

    [TheoryWhenTool("tar")]
    [InlineData("gnu")]
    [InlineData("pax")]
    [InlineData("ustar")]
    public void ReadsWhatGnuTarWrites(string format)
    {
        using var dir = new TempDirectory();
        var members = Members();
        // ustar splits long names across its prefix field; the rest need 'L' or pax headers.
        if (format == "ustar") members.Remove("ünïcödé/名前.txt");
        foreach (var (name, data) in members) dir.Write("src/" + name, data);
        var path = dir.File("gnu.tar");
        Tool.RunText("tar", $"--format={format}", "-cf", path, "-C", dir.File("src"), "--sort=name", ".");

        using var reader = TarReader.OpenFile(path);
        var files = reader.Entries().Where(e => e.Type == TarEntryType.File).ToDictionary(e => e.Name, e => e.Data!);
        foreach (var (name, data) in members) Assert.Equal(data, files["./" + name]);
        Assert.Equal(members.Count, files.Count);
    }

    [Theory]
    [InlineData("../escape.jpg")]
    [InlineData("ok/../../escape.jpg")]
    [InlineData("/etc/passwd.txt")]
    [InlineData("C:/windows.txt")]
    public void PathTraversalMembersAreRefusedNamingShardAndMember(string evil)
    {
        foreach (var format in new[] { TarEntryFormat.Ustar, TarEntryFormat.Pax, TarEntryFormat.Gnu })
        {
            var archive = new MemoryStream();
            using (var writer = new SysTar.TarWriter(archive, format, leaveOpen: true))
            {
                writer.WriteEntry(Entry(format, RegularType(format), "fine.txt", [1]));
                // Long enough to need a pax or GNU long-name header in those formats.
                var name = format == TarEntryFormat.Ustar ? evil : evil.Replace("escape", new string('e', 120));
                writer.WriteEntry(Entry(format, RegularType(format), name, [2]));
            }
            archive.Position = 0;
            using var reader = new TarReader(archive, "/shards/evil-000001.tar");
            var first = reader.Next();
            Assert.Equal("fine.txt", first!.Name);
            var ex = Assert.Throws<DatasetFormatException>(() => reader.Next());
            Assert.Contains("/shards/evil-000001.tar", ex.Message);
            Assert.Contains(evil[..3], ex.Message);
            Assert.Contains("path-traversal", ex.Message);
        }
        Assert.Throws<ArgumentException>(() => new TarWriter(new MemoryStream()).WriteFile(evil, [1]));
    }

    [Fact]
    public void TruncatedArchiveReportsMemberAndOffsetAfterYieldingWholeMembers()
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, leaveOpen: true))
        {
            writer.WriteFile("one.bin", new byte[700]);
            writer.WriteFile("two.bin", new byte[2000]);
        }
        // one.bin: header 0, data 512..1211, padded to 1536; two.bin's header at 1536; cut 300 bytes into its data.
        var cut = new MemoryStream(archive.ToArray()[..(1536 + 512 + 300)]);
        using var reader = new TarReader(cut, "cut.tar");
        Assert.Equal(700, reader.Next()!.Data!.Length);
        var ex = Assert.Throws<DatasetFormatException>(() => reader.Next());
        Assert.Contains("cut.tar: member 'two.bin' at byte 1536", ex.Message);
        Assert.Contains("300 of its 2000", ex.Message);

        // The same cut is detected when the member's data is skipped rather than kept.
        using var skipping = new TarReader(new MemoryStream(archive.ToArray()[..(1536 + 512 + 300)]), "cut.tar");
        Assert.Throws<DatasetFormatException>(() => skipping.Entries(_ => false).ToList());
    }

    [Fact]
    public void DamagedHeaderAndNonTarInputAreReportedNotMisread()
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, leaveOpen: true)) writer.WriteFile("a.txt", [1, 2, 3]);
        var bytes = archive.ToArray();
        bytes[10] ^= 0x20; // flip a bit in the name: the checksum no longer matches
        var ex = Assert.Throws<DatasetFormatException>(() => new TarReader(new MemoryStream(bytes), "bad.tar").Entries().ToList());
        Assert.Contains("bad.tar", ex.Message);
        Assert.Contains("checksum", ex.Message);

        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not a tar file. ", 40)));
        ex = Assert.Throws<DatasetFormatException>(() => new TarReader(new MemoryStream(text), "text.tar").Entries().ToList());
        Assert.Contains("not a tar archive", ex.Message);
        Assert.Contains("byte 0", ex.Message);
    }

    [Fact]
    public void WritingTheSameMembersTwiceGivesIdenticalBytes()
    {
        byte[] Write()
        {
            var s = new MemoryStream();
            using (var w = new TarWriter(s, leaveOpen: true))
                foreach (var (name, data) in Members()) w.WriteFile(name, data);
            return s.ToArray();
        }
        Assert.Equal(Write(), Write());
    }

    private static SysTar.TarEntryType RegularType(TarEntryFormat format) =>
        format == TarEntryFormat.V7 ? SysTar.TarEntryType.V7RegularFile : SysTar.TarEntryType.RegularFile;

    private static SysTar.TarEntry Entry(TarEntryFormat format, SysTar.TarEntryType type, string name, byte[]? data)
    {
        SysTar.TarEntry entry = format switch
        {
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            _ => new GnuTarEntry(type, name),
        };
        if (data is not null) entry.DataStream = new MemoryStream(data);
        return entry;
    }
}
