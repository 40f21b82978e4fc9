using System.CommandLine;
using MLNetClip.Data.Datasets;
using MLNetClip.Reports.Runs;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip report RUN_DIR`: one self-contained HTML page about a pretraining run (curves,
/// example masks, attention and text→patch heat maps, eval*.json results, the configuration).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("RUN_DIR") { Description = "a run folder written by `mlnetclip pretrain --out`" };
        var output = new Option<FileInfo?>("--out") { Description = "the HTML file to write (default RUN_DIR/report.html)" };
        var data = new Option<FileInfo?>("--data") { Description = "a manifest to take example images from (default: the run's own, when it still exists)" };
        var where = new Option<string[]>("--where") { Description = "keep only --data rows whose COLUMN equals VALUE (repeatable), e.g. split=test-concept" };
        var examples = new Option<int>("--examples") { Description = "how many example images to draw (0 for none)", DefaultValueFactory = _ => 6 };
        var size = new Option<int>("--picture-size") { Description = "side of each example picture in pixels", DefaultValueFactory = _ => 176 };
        var imageColumn = new Option<string>("--image-column") { Description = "manifest image path column", DefaultValueFactory = _ => "filepath" };
        var captionColumn = new Option<string>("--caption-column") { Description = "manifest caption column", DefaultValueFactory = _ => "title" };
        var command = new Command("report", "Write one self-contained HTML report about a pretraining run")
        {
            run, output, data, where, examples, size, imageColumn, captionColumn,
        };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(run)!.FullName;
            var target = parse.GetValue(output)?.FullName ?? Path.Combine(folder, "report.html");
            var filters = parse.GetValue(where) is { Length: > 0 } w ? w.Select(ColumnFilter.Parse).ToList() : null;
            var options = new RunReportOptions
            {
                Data = parse.GetValue(data)?.FullName,
                Filters = filters,
                Examples = parse.GetValue(examples),
                PictureSize = parse.GetValue(size),
                ImageColumn = parse.GetValue(imageColumn)!,
                CaptionColumn = parse.GetValue(captionColumn)!,
            };
            var notes = RunReport.Write(folder, target, options);
            foreach (var note in notes) Console.WriteLine($"note: {note}");
            Console.WriteLine($"report {target} ({new FileInfo(target).Length / 1024} KiB)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
