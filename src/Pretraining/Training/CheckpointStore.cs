using System.Globalization;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// The checkpoints folder: one sub-folder per checkpoint, <c>step-NNNNNNNN</c> (steps completed).
/// A checkpoint is written into a fresh <c>.partial-…</c> folder and renamed into place only when
/// complete, so a crash at any moment leaves either the whole checkpoint or none; a folder named
/// <c>step-…</c> is always complete. Only the newest <see cref="Keep"/> are kept.
/// </summary>
public sealed class CheckpointStore
{
    private const string StepPrefix = "step-";
    private const string PartialPrefix = ".partial-";

    public CheckpointStore(string directory, int keep)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep at least one checkpoint");
        Directory = Path.GetFullPath(directory);
        Keep = keep;
    }

    public string Directory { get; }

    public int Keep { get; }

    public static string NameOf(long step) => StepPrefix + step.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Complete checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<(long, string)>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith(StepPrefix, StringComparison.Ordinal) &&
                long.TryParse(name.AsSpan(StepPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                found.Add((step, dir));
        }
        return found.OrderBy(f => f.Item1).ToList();
    }

    public (long Step, string Path)? Latest() => List() is { Count: > 0 } all ? all[^1] : null;

    /// <summary>
    /// Writes the checkpoint for <paramref name="step"/>: <paramref name="write"/> fills an empty
    /// temporary folder, which is then renamed to its final name; older checkpoints beyond
    /// <see cref="Keep"/> are deleted afterwards. If <paramref name="write"/> throws, nothing but the
    /// earlier checkpoints remains. Returns the checkpoint's folder.
    /// </summary>
    public string Write(long step, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, NameOf(step));
        var temp = Path.Combine(Directory, $"{PartialPrefix}{NameOf(step)}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            // A deterministic run reaching the same step again has the same state: the existing one stands.
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(temp, recursive: true);
            else System.IO.Directory.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        Prune();
        return final;
    }

    /// <summary>Deletes what interrupted writes or deletions left behind.</summary>
    public void RemovePartial()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(Directory, PartialPrefix + "*")) TryDelete(dir);
    }

    private void Prune()
    {
        var all = List();
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - Keep)))
        {
            // Renamed first, so a deletion cut short never leaves a half-empty step-… folder.
            var doomed = Path.Combine(Directory, $"{PartialPrefix}deleting-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
            System.IO.Directory.Move(path, doomed);
            TryDelete(doomed);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for RemovePartial on the next start; it is invisible to List meanwhile.
        }
    }
}
