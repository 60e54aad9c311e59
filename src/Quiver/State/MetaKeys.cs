namespace Quiver.State;

/// <summary>Names of the values a run keeps in the state file's meta table.</summary>
public static class MetaKeys
{
    /// <summary>"crawl" or "fetch": a state file serves one kind of run.</summary>
    public const string Mode = "mode";

    /// <summary>The crawl's settings (seeds, scope, limits) as JSON, so a resume continues the same crawl.</summary>
    public const string CrawlSettings = "crawl-settings";

    /// <summary>Full path of the input list of a fetch run.</summary>
    public const string Input = "input";

    /// <summary>Full path of the results file.</summary>
    public const string Output = "output";

    /// <summary>Full path of the WARC file, when the run writes one.</summary>
    public const string Warc = "warc";

    /// <summary>Length of the WARC file at the last commit: a resume cuts it back to this.</summary>
    public const string WarcLength = "warc-length";

    /// <summary>"1" once the run reached its end.</summary>
    public const string Finished = "finished";
}
