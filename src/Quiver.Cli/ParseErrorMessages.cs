using System.CommandLine.Parsing;
using System.Globalization;

namespace Quiver.Cli;

/// <summary>
/// Words System.CommandLine's parse errors for people: its conversion message names CLR types
/// ("System.Nullable`1[System.Int32]"), which says nothing to someone who typed <c>-c abc</c>.
/// </summary>
internal static class ParseErrorMessages
{
    /// <summary>The one line a usage error prints (without the "quiver: " prefix).</summary>
    public static string Describe(ParseError error) => ConversionMessage(error) ?? OneLine(error.Message);

    /// <summary>"--concurrency wants a whole number, got 'abc'" when a value did not convert to its option's type.</summary>
    private static string? ConversionMessage(ParseError error)
    {
        var optionResult = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (optionResult is null) return null;
        var type = Nullable.GetUnderlyingType(optionResult.Option.ValueType) ?? optionResult.Option.ValueType;
        (string Wants, Func<string, bool> Accepts)? expected =
            type == typeof(int) ? ("a whole number", t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            : type == typeof(long) ? ("a whole number", t => long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            : type == typeof(double) ? ("a number", t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            : null;
        if (expected is not { } e) return null;
        var bad = optionResult.Tokens.FirstOrDefault(t => !e.Accepts(t.Value));
        return bad is null ? null : $"{optionResult.Option.Name} wants {e.Wants}, got '{bad.Value}'";
    }

    /// <summary>System.CommandLine's messages may span lines (lists of choices); a usage error is one line.</summary>
    private static string OneLine(string message) => string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
