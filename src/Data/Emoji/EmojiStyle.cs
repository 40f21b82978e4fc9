namespace MLNetClip.Data.Emoji;

/// <summary>The three artwork styles of the benchmark.</summary>
public enum EmojiStyle
{
    /// <summary>Google's Noto emoji (training).</summary>
    Google,

    /// <summary>Twitter's Twemoji (training).</summary>
    Twitter,

    /// <summary>OpenMoji (held out).</summary>
    OpenMoji,
}
