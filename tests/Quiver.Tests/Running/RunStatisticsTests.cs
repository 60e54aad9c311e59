using Quiver.Fetching;
using Quiver.Running;

namespace Quiver.Tests.Running;

public sealed class RunStatisticsTests
{
    [Fact]
    public void Results_are_counted_by_status_class_with_none_for_no_response()
    {
        var statistics = new RunStatistics();
        foreach (int? status in new int?[] { 200, 204, 301, 404, 503, null })
        {
            var result = new FetchResult { Status = status };
            if (status is null) result.Fail(FetchErrorKind.ConnectionRefused, "refused");
            statistics.OnCompleted(result);
        }

        Assert.Equal(
            new Dictionary<string, long> { ["2xx"] = 2, ["3xx"] = 1, ["4xx"] = 1, ["5xx"] = 1, ["none"] = 1 },
            statistics.ByStatusClass);
        Assert.Equal(6, statistics.Completed);
        Assert.Equal(1, statistics.Failed);
    }
}
