using System.Collections;
using System.Numerics;

namespace Quiver.State;

/// <summary>
/// A set of line numbers (or crawl frontier ids) as one bit a number: 125 KB a million lines.
/// </summary>
/// <remarks>
/// Written by hand because no framework collection fits: <see cref="HashSet{T}"/> of <see cref="long"/>
/// costs about 24 bytes an entry (200 times more), and <see cref="BitArray"/> has a fixed length and no
/// count. The keys a resume deals in are dense from 1 (input line numbers, crawl admission order), so
/// a bitset up to the largest key is the most compact exact form. A sparse huge key would make the
/// array as long as that key; callers only add keys they have seen in order.
/// </remarks>
public sealed class LineSet : IReadOnlyCollection<long>
{
    private ulong[] _words = [];

    /// <summary>How many numbers the set holds.</summary>
    public int Count { get; private set; }

    /// <summary>Adds <paramref name="line"/>; false if it was there already.</summary>
    public bool Add(long line)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        long word = line >> 6;
        if (word >= _words.Length)
        {
            // Doubling keeps adding n dense keys at O(n) copying overall.
            long length = Math.Max(word + 1, Math.Max(16, (long)_words.Length * 2));
            Array.Resize(ref _words, checked((int)Math.Min(length, Array.MaxLength)));
        }
        ulong bit = 1UL << (int)(line & 63);
        if ((_words[word] & bit) != 0) return false;
        _words[word] |= bit;
        Count++;
        return true;
    }

    /// <summary>Whether <paramref name="line"/> is in the set.</summary>
    public bool Contains(long line)
    {
        if (line < 0) return false;
        long word = line >> 6;
        return word < _words.Length && (_words[word] & (1UL << (int)(line & 63))) != 0;
    }

    /// <summary>The numbers in ascending order.</summary>
    public IEnumerator<long> GetEnumerator()
    {
        for (int i = 0; i < _words.Length; i++)
        {
            ulong word = _words[i];
            while (word != 0)
            {
                int bit = BitOperations.TrailingZeroCount(word);
                yield return ((long)i << 6) + bit;
                word &= word - 1;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
