using System.Text;
using MLNetClip.Data.Emoji;

namespace MLNetClip.Data.Tests;

public class EmojiTableTests
{
    private const string EmojiJson = """
        [
          {"unified": "0023-FE0F-20E3", "image": "0023-fe0f-20e3.png", "category": "Symbols", "subcategory": "keycap",
           "has_img_google": true, "has_img_twitter": false},
          {"unified": "1F385", "image": "1f385.png", "category": "People & Body", "subcategory": "person-fantasy",
           "has_img_google": true, "has_img_twitter": true,
           "skin_variations": {
             "1F3FB": {"unified": "1F385-1F3FB", "image": "1f385-1f3fb.png", "has_img_google": true, "has_img_twitter": true},
             "1F3FC": {"unified": "1F385-1F3FC", "image": "1f385-1f3fc.png", "has_img_google": true, "has_img_twitter": true}}},
          {"unified": "1F3FB", "image": "1f3fb.png", "category": "Component", "subcategory": "skin-tone",
           "has_img_google": true, "has_img_twitter": true},
          {"unified": "1FAE9", "image": "1fae9.png", "category": "Smileys & Emotion", "subcategory": "face",
           "has_img_google": true, "has_img_twitter": true}
        ]
        """;

    private const string OpenMojiJson = """
        [
          {"hexcode": "0023-FE0F-20E3", "annotation": "keycap: #", "tags": "keycap"},
          {"hexcode": "1F385", "annotation": "Santa Claus", "tags": "celebration, christmas, claus"},
          {"hexcode": "1F385-1F3FB", "annotation": "Santa Claus: light skin tone", "tags": ""},
          {"hexcode": "1F3FB", "annotation": "light skin tone", "tags": "skin tone"}
        ]
        """;

    [Fact]
    public void JoinsOnCodepointsWithoutFe0fAndKeepsVariantsWithTheirBase()
    {
        var table = EmojiTable.Parse(Encoding.UTF8.GetBytes(EmojiJson), "emoji.json", Encoding.UTF8.GetBytes(OpenMojiJson), "openmoji.json");

        Assert.Equal(["0023-20E3", "1F385"], table.Concepts.Select(c => c.Id));
        var keycap = table.Concepts[0];
        Assert.Equal("0023-FE0F-20E3", keycap.Images[0].OpenMojiHexcode);
        Assert.Equal("0023-fe0f-20e3.png", keycap.Images[0].FileName);
        Assert.Equal((true, false), (keycap.Images[0].HasGoogle, keycap.Images[0].HasTwitter));
        Assert.Equal([EmojiStyle.Google, EmojiStyle.OpenMoji], EmojiManifest.StylesOf(keycap.Images[0]));

        var santa = table.Concepts[1];
        Assert.Equal(["1F385", "1F385-1F3FB"], santa.Images.Select(i => i.Codepoints));
        Assert.Equal("Santa Claus: light skin tone", santa.Images[1].Annotation);
        Assert.Equal(["celebration", "christmas", "claus"], santa.Tags);

        // The Component swatch, the variant and the emoji OpenMoji lacks are all reported.
        Assert.Equal(3, table.Dropped.Count);
        Assert.Contains(table.Dropped, d => d.Contains("1F3FB") && d.Contains("Component"));
        Assert.Contains(table.Dropped, d => d.Contains("1F385-1F3FC"));
        Assert.Contains(table.Dropped, d => d.Contains("1FAE9"));
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            EmojiTable.Parse("{}"u8.ToArray(), "pkg emoji.json", "[]"u8.ToArray(), "om.json"));
        Assert.Contains("pkg emoji.json", ex.Message);
        ex = Assert.Throws<InvalidDataException>(() =>
            EmojiTable.Parse("[{\"unified\": \"1F600\"}]"u8.ToArray(), "pkg emoji.json", "[]"u8.ToArray(), "om.json"));
        Assert.Contains("'category'", ex.Message);
    }
}
