using System.Text;
using CsCheck;

namespace Quiver.Tests.Input;

/// <summary>
/// CsCheck generators of URL-list lines as hostile input writes them: arbitrary Unicode and control
/// characters, odd schemes, userinfo, IPv4 and IPv6 literals with and without zones, ports out of
/// range, percent-encoding, very long lines; and of whole list files, with invalid UTF-8 bytes,
/// a byte order mark and either line end.
/// </summary>
internal static class HostileLines
{
    private static Gen<string> Text(Gen<char> chars, int min, int max) => chars.Array[min, max].Select(a => new string(a));

    private static readonly Gen<string> Astral = Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32);

    /// <summary>Any UTF-16 units, lone surrogates and controls included, with astral characters now and then.</summary>
    private static readonly Gen<string> AnyText = Gen.Frequency(
        (4, Text(Gen.Char, 0, 10)),
        (2, Text(Gen.Char[(char)0x20, (char)0x7E], 0, 10)),
        (1, Astral.Array[1, 3].Select(a => string.Concat(a))));

    private static readonly Gen<string> Scheme = Gen.OneOf(
        "http://", "https://", "http://", "https://", "HTTP://", "hTtPs://", "", "", "ftp://", "javascript:", "file:///",
        "http:/", "http:", "//", "ws://", "data:text/html,", "a+b-c.d://", "1http://");

    private static readonly Gen<string> UserInfo = Gen.Frequency(
        (8, Gen.Const("")),
        (1, Gen.OneOf("user@", "u:p@", "@", ":@", "a%40b@", "ü:ß@")));

    private static readonly Gen<string> AsciiLabel = Text(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_"], 1, 12);

    private static readonly Gen<string> UnicodeLabel = Gen.Frequency(
        (3, Text(Gen.Char[(char)0xA0, (char)0xFFFF], 1, 6)),
        (1, Astral.Array[1, 3].Select(a => string.Concat(a))),
        (1, Gen.Select(AsciiLabel, Text(Gen.Char[(char)0x0590, (char)0x08FF], 1, 3), (a, b) => a + b)));

    private static readonly Gen<string> IPv6 = Gen.Frequency(
        (2, Gen.UShort.Array[8].Select(parts => string.Join(':', parts.Select(p => p.ToString("x", System.Globalization.CultureInfo.InvariantCulture))))),
        (3, Gen.OneOf("::1", "::", "fe80::1", "fe80::a:b", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "fd00::1", "2001:db8::1", "1::2::3", "zz::1")));

    private static readonly Gen<string> Zone = Gen.Frequency(
        (4, Gen.Const("")),
        (2, Gen.OneOf("%25lo", "%251", "%lo", "%1", "%25eth0", "%25nosuchnic", "%", "%25", "%25%6c%6f", "%2")));

    private static readonly Gen<string> Host = Gen.Frequency(
        (6, Gen.Select(AsciiLabel.Array[1, 4], Gen.Bool, (labels, dot) => string.Join('.', labels) + (dot ? "." : ""))),
        (3, Gen.Select(UnicodeLabel.Array[1, 3], AsciiLabel, (labels, tld) => string.Join('.', labels) + "." + tld)),
        (2, Gen.Byte.Array[4].Select(b => string.Join('.', b))),
        (1, Gen.UInt.Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (3, Gen.Select(IPv6, Zone, (address, zone) => $"[{address}{zone}]")),
        (1, Gen.OneOf("[::1", "[]", "[v1.x]", "%41%42.com", "ex%2Fample.com", "localhost", "0x7f.1", "a..b", "-a.com", new string('a', 64) + ".com",
            string.Join('.', Enumerable.Repeat(new string('b', 60), 5)))),
        (2, AnyText));

    private static readonly Gen<string> Port = Gen.Frequency(
        (5, Gen.Const("")),
        (3, Gen.Int[0, 70000].Select(p => $":{p}")),
        (1, Gen.OneOf(":", ":99999999999999999999", ":abc", ":-1", ":0", ":65535", ":080")));

    private static readonly Gen<string> PercentEscape = Gen.Frequency(
        (4, Gen.Byte.Select(b => $"%{b:X2}")),
        (1, Gen.OneOf("%", "%G1", "%2", "%00", "%0A", "%C3%28", "%E2%82")));

    private static readonly Gen<string> PathPart = Gen.Frequency(
        (4, Text(Gen.Char[(char)0x21, (char)0x7E], 0, 12)),
        (2, PercentEscape),
        (2, AnyText));

    private static readonly Gen<string> Path = Gen.Frequency(
        (2, Gen.Const("")),
        (5, PathPart.Array[0, 4].Select(parts => "/" + string.Concat(parts))),
        (1, Gen.Select(PathPart, PathPart, (q, f) => $"/?q={q}#{f}")));

    private static readonly Gen<string> Url = Gen.Select(Scheme, UserInfo, Host, Port, Path, (s, u, h, p, path) => s + u + h + p + path);

    /// <summary>Lines with an http(s) scheme or none, and no userinfo: more of them are accepted, for the properties about sending.</summary>
    public static readonly Gen<string> HttpLine = Gen.Select(Gen.OneOf("http://", "https://", ""), Host, Port, Path, (s, h, p, path) => s + h + p + path)
        .Select(line => line.Replace('\r', 'r').Replace('\n', 'n'));

    /// <summary>One line, without a line end: a URL-like line, then maybe made longer, padded, commented or spoiled.</summary>
    public static readonly Gen<string> Line = Gen.Frequency(
        (12, Url),
        (1, Gen.Select(Url, Gen.Char[(char)0, (char)0x1F], Gen.Int[0, 1000], (url, control, at) => url.Insert(at % (url.Length + 1), control.ToString()))),
        (1, Gen.Select(Url, Gen.Int[1, 3], (url, times) => "http://a.test/" + new string('x', 32 * 1024 - 20 + times * 8))),
        (1, Url.Select(url => $"  \t{url}\u00A0 ")),
        (1, Url.Select(url => "#" + url)),
        (1, Gen.OneOf("", "   ", "\t", "\uFEFF", "#")),
        (2, AnyText))
        // A line holds no line end: the reader splits at CR and LF.
        .Select(line => line.Replace('\r', 'r').Replace('\n', 'n'));

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80]];

    /// <summary>The bytes of one line: its UTF-8, or its UTF-8 with bytes that are not UTF-8 spliced in (never 0xFE, so no UTF-16 byte order mark appears).</summary>
    public static readonly Gen<byte[]> LineBytes = Gen.Frequency(
        (8, Line.Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Select<string, int, int, byte[]>(Line, Gen.Int[0, InvalidUtf8.Length - 1], Gen.Int[0, 1000], (line, which, at) =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            int position = at % (bytes.Length + 1);
            return [.. bytes.AsSpan(0, position), .. InvalidUtf8[which], .. bytes.AsSpan(position)];
        })));

    /// <summary>A list file: its lines' bytes, the line end used, and whether a UTF-8 byte order mark starts it.</summary>
    public static readonly Gen<ListFile> File = Gen.Select(LineBytes.Array[1, 25], Gen.Bool, Gen.Bool, Gen.Bool,
        (lines, crlf, bom, finalNewline) => new ListFile(lines, crlf ? "\r\n" : "\n", bom, finalNewline));
}

/// <summary>A generated list file.</summary>
internal sealed record ListFile(byte[][] Lines, string LineEnd, bool ByteOrderMark, bool FinalLineEnd)
{
    public byte[] Bytes()
    {
        var stream = new MemoryStream();
        if (ByteOrderMark) stream.Write(Encoding.UTF8.Preamble);
        byte[] end = Encoding.ASCII.GetBytes(LineEnd);
        for (int i = 0; i < Lines.Length; i++)
        {
            stream.Write(Lines[i]);
            if (i < Lines.Length - 1 || FinalLineEnd) stream.Write(end);
        }
        return stream.ToArray();
    }

    /// <summary>
    /// The 1-based numbers of the lines that must give a record: all but blank ones and <c>#</c>
    /// comments, as README says, read as UTF-8 the way the reader reads them (invalid bytes become U+FFFD).
    /// </summary>
    public long[] ExpectedRecordLines() =>
    [
        .. Lines.Select((bytes, i) => (Text: Encoding.UTF8.GetString(bytes).Trim().Trim('\uFEFF').Trim(), Number: i + 1L))
            .Where(line => line.Text.Length > 0 && line.Text[0] != '#')
            .Select(line => line.Number),
    ];

    public override string ToString() => $"{Lines.Length} lines, {LineEnd.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}, bom {ByteOrderMark}: "
        + string.Join(" | ", Lines.Select(l => Convert.ToHexString(l.AsSpan(0, Math.Min(l.Length, 200)))));
}
