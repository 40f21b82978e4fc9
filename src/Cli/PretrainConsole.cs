using System.Globalization;
using MLNetClip.Data.Datasets;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch.Distributed;
using Spectre.Console;

namespace MLNetClip.Cli;

/// <summary>
/// What `pretrain` shows while it runs: on a terminal, a live progress bar with the ETA and the
/// main terms; otherwise (a pipe, a log file, CI) one plain line per logged step.
/// </summary>
internal static class PretrainConsole
{
    /// <summary>Runs the trainer; in a data-parallel group rank 0 prints the progress, the other ranks only errors.</summary>
    public static PretrainResult Run(PretrainOptions options, IImageTextSource source, string output, bool resume, CancellationToken cancel,
        ProcessGroup? group = null)
    {
        if (group is not null)
            return new Pretrainer(options, source, output, group.Rank == 0 ? new PlainProgress(Console.Out) : null) { Group = group }.Run(resume, cancel);
        if (Console.IsOutputRedirected)
            return new Pretrainer(options, source, output, new PlainProgress(Console.Out)).Run(resume, cancel);

        PretrainResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                result = new Pretrainer(options, source, output, new LiveProgress(task)).Run(resume, cancel);
                task.StopTask();
            });
        return result!;
    }

    public static string Describe(PretrainStart s) => Invariant(
        $"pretrain {s.Method} on {s.Device} with {s.Threads} libtorch thread{(s.Threads == 1 ? "" : "s")}: {s.Parameters:N0} trainable parameters, steps {s.FirstStep}→{s.TotalSteps}; data {s.Data}") +
        (s.ResumedFrom is null ? "" : $"; resumed from {s.ResumedFrom}");

    /// <summary>The optimised loss, then each *Loss term when there are several, then the logged ones.</summary>
    public static string Terms(PretrainMetrics m)
    {
        var losses = m.Terms.Where(t => t.Key.EndsWith("Loss", StringComparison.Ordinal)).ToList();
        var shown = new List<KeyValuePair<string, double>> { new("loss", m.Terms["loss"]) };
        if (losses.Count > 1) shown.AddRange(losses);
        shown.AddRange(m.Terms.Where(t => t.Key != "loss" && !t.Key.EndsWith("Loss", StringComparison.Ordinal)));
        return string.Join("  ", shown.Select(t => Invariant($"{t.Key} {t.Value:0.0000}")));
    }

    public static string Line(PretrainMetrics m) =>
        Invariant($"step {m.Step}/{m.TotalSteps}  epoch {m.Epoch}  {Terms(m)}  lr {m.LearningRate:0.00e+0}  scale {m.LogitScale:0.00}  ") +
        Invariant($"|g| {m.GradNorm:0.000}  {m.ImagesPerSecond:0.0} img/s  {m.MemoryKind} {m.PeakMemoryBytes / (1024.0 * 1024):0} MiB  ") +
        Invariant($"skipped {m.SkippedSteps}  {m.ElapsedSeconds:0.0} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class PlainProgress(TextWriter writer) : IPretrainProgress
    {
        public void Started(PretrainStart start) => writer.WriteLine(Describe(start));
        public void Logged(PretrainMetrics metrics) => writer.WriteLine(Line(metrics));
        public void Note(string message) => writer.WriteLine(message);
    }

    private sealed class LiveProgress(ProgressTask task) : IPretrainProgress
    {
        private string _terms = "";

        public void Started(PretrainStart start)
        {
            AnsiConsole.WriteLine(Describe(start));
            task.MaxValue = start.TotalSteps;
            task.Value = start.FirstStep;
            task.Description = Markup.Escape($"step {start.FirstStep}/{start.TotalSteps}");
        }

        public void Stepped(long step, long totalSteps)
        {
            task.Value = step;
            task.Description = Markup.Escape($"step {step}/{totalSteps}  {_terms}");
        }

        public void Logged(PretrainMetrics metrics)
        {
            _terms = Terms(metrics) + Invariant($"  {metrics.ImagesPerSecond:0} img/s");
            task.Description = Markup.Escape($"step {metrics.Step}/{metrics.TotalSteps}  {_terms}");
        }

        public void Note(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));
    }
}
