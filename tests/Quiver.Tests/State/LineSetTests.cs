using Quiver.State;

namespace Quiver.Tests.State;

public sealed class LineSetTests
{
    [Fact]
    public void Add_reports_new_numbers_once_and_Contains_finds_exactly_those_added()
    {
        var set = new LineSet();
        long[] numbers = [1, 63, 64, 65, 127, 128, 1_000_003, 0];

        foreach (long n in numbers) Assert.True(set.Add(n));
        foreach (long n in numbers) Assert.False(set.Add(n));

        Assert.Equal(numbers.Length, set.Count);
        foreach (long n in numbers) Assert.Contains(n, set);
        foreach (long n in new long[] { 2, 62, 66, 129, 1_000_002, 1_000_004, 5_000_000, -1 })
            Assert.False(set.Contains(n), $"{n} was never added");
    }

    [Fact]
    public void Enumerates_in_ascending_order_whatever_the_order_of_adding()
    {
        var set = new LineSet();
        var random = new Random(7);
        var added = new SortedSet<long>();
        for (int i = 0; i < 5_000; i++)
        {
            long n = random.NextInt64(0, 200_000);
            Assert.Equal(added.Add(n), set.Add(n));
        }

        Assert.Equal(added, set);
        Assert.Equal(added.Count, set.Count);
    }

    [Fact]
    public void A_negative_number_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineSet().Add(-1));
    }

    [Fact]
    public void A_million_dense_lines_cost_about_one_bit_each()
    {
        // Allocation of this thread only, so other tests running meanwhile do not count.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var set = new LineSet();
        for (long line = 1; line <= 1_000_000; line++) set.Add(line);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1_000_000, set.Count);
        // 125 KB of bits; doubling growth allocates at most about twice that over the whole fill.
        Assert.True(allocated < 400_000, $"allocated {allocated:N0} bytes for a million lines");
    }
}
