using Quiver.Concurrency;

namespace Quiver.Tests.Concurrency;

/// <summary>The controller's decisions, one signal at a time, on a fake clock with fake CPU and lag probes.</summary>
public sealed class ConcurrencyControllerTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Input_that_fits_under_the_cap_is_all_put_in_flight_at_once()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 1024 });
        for (int i = 0; i < 300; i++) driver.Controller.OnRead();

        driver.Controller.OnInputEnded();

        Assert.Equal(300, driver.Controller.Width);
        Assert.Equal(300, driver.Controller.Gate.Limit);
        Assert.Contains("fits in flight", driver.Controller.Report.LastReason);
    }

    [Fact]
    public void Input_larger_than_the_cap_does_not_jump()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 256 });
        for (int i = 0; i < 300; i++) driver.Controller.OnRead();

        driver.Controller.OnInputEnded();

        Assert.Equal(16, driver.Controller.Width);
    }

    [Fact]
    public async Task Width_doubles_each_window_while_growth_pays_and_stops_at_max_concurrency()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 200 });

        await driver.RunAsync(ControllerDriver.Unlimited(Latency), completions: 3000);

        int[] path = [.. driver.Widths.Distinct()];
        Assert.True(path.Length >= 5, string.Join("\n", driver.Controller.History));
        Assert.True(path[..5].SequenceEqual([16, 32, 64, 128, 200]), string.Join("\n", driver.Controller.History));
        Assert.Equal([16, 32, 64, 128, 200], path[..5]);
        Assert.All(driver.Widths, w => Assert.InRange(w, 1, 200));
        Assert.InRange(driver.MostInFlight, 1, 200);
        Assert.Equal(200, driver.Controller.Report.Peak);
    }

    [Fact]
    public async Task On_a_plateau_it_settles_on_the_smallest_width_that_reached_it()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 1024, ProbeEvery = 1000 });

        // The server works on 50 at a time: 64 is faster than 32, 128 is no faster than 64.
        await driver.RunAsync(ControllerDriver.Saturating(50, Latency), completions: 2000);

        string history = string.Join("\n", driver.Controller.History);
        Assert.True(driver.Controller.Report.Peak == 128, history);
        Assert.True(driver.Controller.Width == 64, history);
        Assert.StartsWith("plateau", driver.Controller.Report.LastReason);
    }

    [Fact]
    public async Task It_backs_off_when_the_server_answers_429()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 64, MaxWidth = 1024, ProbeEvery = 1000 });

        await driver.RunAsync(driver.Throttling(20, Latency), completions: 3000);

        Assert.True(driver.Controller.Width <= 30, string.Join("\n", driver.Controller.History) + $" widths seen {driver.Widths.Count}, last reason {driver.Controller.Report.LastReason}");
        Assert.Contains(driver.Controller.History, change => change.Contains("429/503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task It_backs_off_when_the_client_CPU_is_saturated_and_the_thread_pool_lags()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 128, MaxWidth = 1024 }, cpuUtilisation: 1.0, lag: TimeSpan.FromMilliseconds(200));

        await driver.RunAsync(ControllerDriver.Unlimited(Latency), completions: 300);

        Assert.True(driver.Controller.Width < 128, $"width {driver.Controller.Width}");
        Assert.Contains("CPU saturated", driver.Controller.Report.LastReason);
    }

    [Fact]
    public async Task Saturated_CPU_without_lag_holds_the_width_instead_of_growing()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 32, MaxWidth = 1024, ProbeEvery = 1000 }, cpuUtilisation: 1.0);

        await driver.RunAsync(ControllerDriver.Unlimited(Latency), completions: 1000);

        Assert.Equal(32, driver.Controller.Report.Peak);
        Assert.Equal(32, driver.Controller.Width);
    }

    [Fact]
    public async Task When_fewer_are_in_flight_than_allowed_it_never_grows()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 1024 });

        await driver.RunAsync(ControllerDriver.Unlimited(Latency), completions: 2000, demand: 10);

        Assert.Equal(16, driver.Controller.Report.Peak);
        Assert.Contains("app-limited", driver.Controller.Report.LastReason);
    }

    [Fact]
    public async Task Latency_inflated_against_each_host_baseline_is_overload()
    {
        var driver = new ControllerDriver(new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 1024, ProbeEvery = 1000 });
        int started = 0;
        // Each host answered in 100 ms at first; from the 200th request on, in 1 s: a queue has built up somewhere.
        await driver.RunAsync(_ => (started++ < 200 ? Latency : TimeSpan.FromSeconds(1), 200), completions: 600);

        Assert.Contains("latency inflated", driver.Controller.Report.LastReason);
    }

    [Fact]
    public void Options_are_validated_once()
    {
        Assert.Throws<ArgumentException>(() => new AdaptiveConcurrencyOptions { MaxWidth = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new AdaptiveConcurrencyOptions { BackoffFactor = 1 }.Validate());
        Assert.Equal(8, new AdaptiveConcurrencyOptions { InitialWidth = 16, MaxWidth = 8 }.Validate().StartWidth);
    }
}
