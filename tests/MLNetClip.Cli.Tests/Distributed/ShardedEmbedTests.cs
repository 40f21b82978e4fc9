using System.Text.Json;
using MLNetClip.Evaluation.Output;
using MLNetClip.Evaluation.Tests;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests.Distributed;

/// <summary>
/// `launch --nproc 2 -- embed` splits the rows between the ranks and gives the file one process
/// writes: the same rows in the same order; with --parts, the parts and an index instead.
/// </summary>
public class ShardedEmbedTests
{
    [Fact]
    public void Two_ranks_write_the_embeddings_of_one_process_in_the_same_order()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);    // 13 rows: 6 for rank 0, 7 for rank 1
        string[] Embed(string output) => ["embed", "--model", model, "--data", manifest, "--out", output, "--batch-size", "4", "--threads", "1"];

        var single = Launcher.Run(folder.Path, Embed(folder.File("one.safetensors")));
        Assert.True(single.Exit == 0, single.Out + single.Err);
        var sharded = Launcher.Run(folder.Path, ["launch", "--nproc", "2", "--", .. Embed(folder.File("two.safetensors"))]);
        Assert.True(sharded.Exit == 0, sharded.Out + sharded.Err);
        Assert.Contains("merged from 2 parts", sharded.Out);

        using var one = SafeTensors.Load(folder.File("one.safetensors"));
        using var two = SafeTensors.Load(folder.File("two.safetensors"));
        var a = one.Tensors[EmbeddingExport.TensorName];
        var b = two.Tensors[EmbeddingExport.TensorName];
        Assert.Equal(a.Shape, b.Shape);
        Assert.Equal(13, a.Size(0));
        var x = a.ToArray<float>();
        var y = b.ToArray<float>();
        for (var i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= 1e-6, $"element {i}: {x[i]} vs {y[i]}");
        Assert.Empty(Directory.GetFiles(folder.Path, "two.safetensors.part-*"));
    }

    [Fact]
    public void With_parts_each_rank_keeps_its_rows_and_rank_0_indexes_them()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var output = folder.File("emb.npy");
        var run = Launcher.Run(folder.Path, ["launch", "--nproc", "3", "--", "embed", "--model", model, "--data", manifest, "--out", output,
            "--threads", "1", "--parts"]);
        Assert.True(run.Exit == 0, run.Out + run.Err);
        var index = JsonDocument.Parse(File.ReadAllText(EmbeddingParts.IndexPath(output))).RootElement;
        Assert.Equal(EmbeddingParts.IndexFormat, index.GetProperty("format").GetString());
        Assert.Equal(13, index.GetProperty("rows").GetInt32());
        // ⌊13·r/3⌋: rows 0–3, 4–7, 8–12.
        var parts = index.GetProperty("parts").EnumerateArray().Select(p => (p.GetProperty("firstRow").GetInt32(), p.GetProperty("rows").GetInt32())).ToList();
        Assert.Equal([(0, 4), (4, 4), (8, 5)], parts);
        foreach (var p in index.GetProperty("parts").EnumerateArray())
        {
            using var part = SafeTensors.Load(Path.Combine(folder.Path, p.GetProperty("file").GetString()!));
            Assert.Equal(p.GetProperty("rows").GetInt32(), part.Tensors[EmbeddingExport.TensorName].Size(0));
        }
        Assert.False(File.Exists(output));
    }
}
