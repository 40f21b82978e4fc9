namespace MLNetClip.Data.Emoji;

/// <summary>
/// One npm package the emoji benchmark is built from, pinned by exact version and by the
/// registry's SHA-512 integrity string, so a cached or freshly downloaded tarball is known to be
/// the one the benchmark's numbers were measured on.
/// </summary>
/// <param name="Name">The npm package name.</param>
/// <param name="Version">The exact version.</param>
/// <param name="Integrity">The registry's <c>dist.integrity</c> ("sha512-" + base64).</param>
/// <param name="Licence">The licence of what the benchmark takes from the package (SPDX id).</param>
/// <param name="Provides">What the benchmark takes from it, for the README.</param>
public sealed record EmojiPackage(string Name, string Version, string Integrity, string Licence, string Provides)
{
    /// <summary>The metadata: categories, subcategories, skin-tone variants and which sets have art.</summary>
    public static EmojiPackage Datasource { get; } = new("emoji-datasource", "16.0.0",
        "sha512-/qHKqK5Nr3+8zhgO6kHmF43Fm5C8HNn0AaFRIpgw8HF3+uF0Vfc8jgLI1ZQS5ba1vBzksS8NBCjHejwLb2D/Sg==",
        "MIT", "emoji.json: category, subcategory, skin-tone variants, has_img_* flags");

    /// <summary>Google's Noto emoji as 64x64 RGBA PNGs (a training style).</summary>
    public static EmojiPackage Google { get; } = new("emoji-datasource-google", "16.0.0",
        "sha512-ZRexfzs7MVoLnmzZmNsO4TKhnAJp5D++Vm6PpUpH/jEQQlemp3l88CjZ+DoZ2faM9R4QxZkOPJCoT8DlPhfQ3A==",
        "Apache-2.0", "img/google/64/*.png (Noto Emoji artwork)");

    /// <summary>Twitter's Twemoji as 64x64 RGBA PNGs (a training style).</summary>
    public static EmojiPackage Twitter { get; } = new("emoji-datasource-twitter", "16.0.0",
        "sha512-7F+uCuHH+7Qnrc15P5tnbvKkg9E6tlzi4MnT2uW1RlN4pLYTza6cP/dstIfSDMtpjFLWuZewWg8jBbuL2eyELQ==",
        "CC-BY-4.0", "img/twitter/64/*.png (Twemoji artwork)");

    /// <summary>OpenMoji's colour SVGs and CLDR annotations (the held-out style, and every caption).</summary>
    public static EmojiPackage OpenMoji { get; } = new("openmoji", "17.0.0",
        "sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9CzsyPnRTk0Vp4UaI9w==",
        "CC-BY-SA-4.0", "color/svg/*.svg and data/openmoji.json (annotation, tags)");

    public static IReadOnlyList<EmojiPackage> All { get; } = [Datasource, Google, Twitter, OpenMoji];

    /// <summary>The spec npm understands: <c>name@version</c>.</summary>
    public string Spec => $"{Name}@{Version}";

    /// <summary>The file name <c>npm pack</c> gives the tarball.</summary>
    public string TarballName => $"{Name}-{Version}.tgz";
}
