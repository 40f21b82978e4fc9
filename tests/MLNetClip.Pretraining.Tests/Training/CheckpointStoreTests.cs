using MLNetClip.Pretraining.Training;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>Checkpoint folders appear whole or not at all, and only the newest K stay.</summary>
public class CheckpointStoreTests
{
    private static void Fill(string folder, long step)
    {
        File.WriteAllText(Path.Combine(folder, "a.txt"), $"step {step}");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "second file");
    }

    [Fact]
    public void A_write_that_fails_halfway_leaves_no_checkpoint_and_the_earlier_ones_intact()
    {
        using var dir = new TempFolder();
        var store = new CheckpointStore(dir.Path, keep: 3);
        store.Write(1, f => Fill(f, 1));

        Assert.Throws<IOException>(() => store.Write(2, folder =>
        {
            File.WriteAllText(Path.Combine(folder, "a.txt"), "step 2");
            throw new IOException("disk full");
        }));

        Assert.Equal([1L], store.List().Select(c => c.Step));
        Assert.Equal("step 1", File.ReadAllText(Path.Combine(store.Latest()!.Value.Path, "a.txt")));
        Assert.Equal([CheckpointStore.NameOf(1)], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void What_a_killed_write_left_is_invisible_and_removed_on_the_next_start()
    {
        using var dir = new TempFolder();
        var store = new CheckpointStore(dir.Path, keep: 3);
        store.Write(4, f => Fill(f, 4));
        // A process killed mid-write leaves its temporary folder, possibly with a step number in its name.
        var leftover = Path.Combine(dir.Path, ".partial-step-00000008-0123456789abcdef");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "a.txt"), "half");

        Assert.Equal([4L], store.List().Select(c => c.Step));
        store.RemovePartial();
        Assert.False(Directory.Exists(leftover));
        Assert.Equal([4L], store.List().Select(c => c.Step));
    }

    [Fact]
    public void Only_the_newest_k_are_kept_and_rewriting_a_step_keeps_the_first()
    {
        using var dir = new TempFolder();
        var store = new CheckpointStore(dir.Path, keep: 2);
        foreach (var step in new long[] { 1, 2, 3, 10, 11 }) store.Write(step, f => Fill(f, step));

        Assert.Equal([10L, 11L], store.List().Select(c => c.Step));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir.Path).Length);

        store.Write(11, f => File.WriteAllText(Path.Combine(f, "a.txt"), "other"));
        Assert.Equal("step 11", File.ReadAllText(Path.Combine(store.Latest()!.Value.Path, "a.txt")));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    [Fact]
    public void Folders_are_ordered_by_step_number_not_by_name()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "step-123456789"));  // wider than the padding
        Directory.CreateDirectory(Path.Combine(dir.Path, CheckpointStore.NameOf(99)));
        Directory.CreateDirectory(Path.Combine(dir.Path, "step-x"));
        Assert.Equal([99L, 123456789L], new CheckpointStore(dir.Path, 5).List().Select(c => c.Step));
    }
}
