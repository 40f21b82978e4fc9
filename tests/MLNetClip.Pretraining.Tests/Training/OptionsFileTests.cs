using MLNetClip.Pretraining.Training;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>pretrain --config: documented keys override defaults; anything else is named with the nearest valid key.</summary>
public class OptionsFileTests
{
    private static PretrainOptions Parse(string json) => OptionsFile.Parse(json, "run.json");

    [Fact]
    public void Keys_set_options_at_both_levels_and_the_rest_keep_their_defaults()
    {
        var o = Parse("""
            {
              // comments and trailing commas are allowed
              "learningRate": 0.01,
              "steps": 7,
              "device": "cuda:1",
              "trimText": false,
              "maskClip": { "maskRatio": 0.5, "textBranch": false },
            }
            """);
        Assert.Equal(0.01, o.LearningRate);
        Assert.Equal(7, o.Steps);
        Assert.Equal("cuda:1", o.Device);
        Assert.False(o.TrimText);
        Assert.Equal(0.5, o.MaskClip.MaskRatio);
        Assert.False(o.MaskClip.TextBranch);
        Assert.Equal(new PretrainOptions().BatchSize, o.BatchSize);
        Assert.Equal(new PretrainOptions().MaskClip.DecoderDepth, o.MaskClip.DecoderDepth);
    }

    [Theory]
    [InlineData("""{ "learningRte": 1 }""", "'learningRte'", "'learningRate'")]
    [InlineData("""{ "BatchSize": 8 }""", "'BatchSize'", "'batchSize'")]
    [InlineData("""{ "maskClip": { "maskRatoi": 0.5 } }""", "'maskClip.maskRatoi'", "'maskClip.maskRatio'")]
    [InlineData("""{ "textMaskRatio": 0.2 }""", "'textMaskRatio'", "'maskClip.textMaskRatio'")]
    public void An_unknown_key_is_named_with_the_closest_valid_one(string json, string key, string suggestion)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(json));
        Assert.Equal($"run.json: unknown option {key}; did you mean {suggestion}?", e.Message);
    }

    [Theory]
    [InlineData("""{ "batchSize": "big" }""", "'batchSize' must be a whole number")]
    [InlineData("""{ "learningRate": true }""", "'learningRate' must be a number")]
    [InlineData("""{ "maskClip": { "textBranch": 3 } }""", "'maskClip.textBranch' must be true or false")]
    [InlineData("""{ "maskClip": 3 }""", "'maskClip' must be an object of options")]
    public void A_value_of_the_wrong_type_names_the_key_and_the_type(string json, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => Parse(json)).Message);

    [Fact]
    public void Broken_json_and_a_missing_file_are_reported_with_where()
    {
        var broken = Assert.Throws<InvalidDataException>(() => Parse("{\n  \"steps\": 5\n  \"seed\": 1\n}"));
        Assert.Contains("run.json: not valid JSON (line 3", broken.Message);
        Assert.Contains("/nowhere/run.json", Assert.Throws<FileNotFoundException>(() => OptionsFile.Read("/nowhere/run.json")).Message);
    }

    [Fact]
    public void Every_documented_option_is_a_key()
    {
        var keys = OptionsFile.Keys();
        var top = typeof(PretrainOptions).GetProperties().Length;
        var nested = typeof(MLNetClip.Pretraining.Methods.MaskClipOptions).GetProperties().Length
            + typeof(MLNetClip.Pretraining.Methods.Distill.DistillOptions).GetProperties().Length;
        Assert.Equal(top + nested, keys.Count);
        Assert.Contains("gradClipNorm", keys);
        Assert.Contains("maskClip.emaSchedule", keys);
        Assert.Contains("distill.teacher", keys);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Edit_distance_counts_single_character_edits(string a, string b, int expected)
    {
        Assert.Equal(expected, ClosestName.Distance(a, b));
        Assert.Equal(expected, ClosestName.Distance(b, a));
    }
}
