using System.Net;
using Quiver.Fetching;

namespace Quiver.Tests.Fetching;

/// <summary>The guard's verdicts, checked without connecting anywhere: no address here is ever dialled.</summary>
public sealed class AddressGuardTests
{
    private static AddressGuard Guard(bool denyPrivate = true, string[]? allow = null, string[]? deny = null) =>
        AddressGuard.For(new FetchOptions { DenyPrivate = denyPrivate, AllowAddresses = allow ?? [], DenyAddresses = deny ?? [] }.Validate())!;

    [Theory]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.5.4", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("192.0.0.192", "IETF")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "unique local")]
    [InlineData("fd00:ec2::254", "unique local")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a00:1", "private")]
    public void Non_public_addresses_are_denied_with_the_name_of_their_range(string address, string range)
    {
        var ip = IPAddress.Parse(address);

        Assert.Contains(range, AddressGuard.PrivateRangeOf(ip), StringComparison.Ordinal);
        Assert.Contains(range, Guard().BlockReason(ip), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.32.0.1")]
    [InlineData("11.0.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_not_denied(string address)
    {
        var ip = IPAddress.Parse(address);

        Assert.Null(AddressGuard.PrivateRangeOf(ip));
        Assert.Null(Guard().BlockReason(ip));
    }

    [Fact]
    public void An_allowed_range_punches_a_hole_in_the_private_ranges_and_only_there()
    {
        var guard = Guard(allow: ["10.1.0.0/16", "fd00::1"]);

        Assert.Null(guard.BlockReason(IPAddress.Parse("10.1.2.3")));
        Assert.Null(guard.BlockReason(IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.Null(guard.BlockReason(IPAddress.Parse("fd00::1")));
        Assert.NotNull(guard.BlockReason(IPAddress.Parse("10.2.0.1")));
        Assert.NotNull(guard.BlockReason(IPAddress.Parse("fd00::2")));
    }

    [Fact]
    public void A_denied_range_applies_with_deny_private_off_and_leaves_other_addresses_alone()
    {
        var guard = Guard(denyPrivate: false, deny: ["127.0.0.9"]);

        Assert.Contains("127.0.0.9/32", guard.BlockReason(IPAddress.Parse("127.0.0.9")), StringComparison.Ordinal);
        Assert.Contains("127.0.0.9/32", guard.BlockReason(IPAddress.Parse("::ffff:127.0.0.9")), StringComparison.Ordinal);
        Assert.Null(guard.BlockReason(IPAddress.Parse("127.0.0.1")));
        Assert.Null(guard.BlockReason(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Without_deny_private_or_denied_ranges_there_is_no_guard()
    {
        Assert.Null(AddressGuard.For(new FetchOptions { AllowAddresses = ["10.0.0.0/8"] }));
    }

    [Fact]
    public void Filter_keeps_the_allowed_answers_in_order_and_refuses_a_host_whose_answers_are_all_denied()
    {
        var guard = Guard();
        IPAddress[] mixed = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("::1"), IPAddress.Parse("1.1.1.1")];
        IPAddress[] allPublic = [IPAddress.Parse("8.8.8.8")];

        Assert.Equal([IPAddress.Parse("8.8.8.8"), IPAddress.Parse("1.1.1.1")], guard.Filter(mixed, "mixed.test", 80));
        Assert.Same(allPublic, guard.Filter(allPublic, "public.test", 80));
        var refused = Assert.Throws<BlockedAddressException>(() => guard.Filter([IPAddress.Parse("169.254.169.254")], "metadata.test", 80));
        Assert.Equal("refused to connect to metadata.test:80: its address 169.254.169.254 is a link-local (cloud metadata lives here) address (--allow-address punches a hole)", refused.Message);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("not-an-address")]
    [InlineData("")]
    public void A_range_that_is_not_an_address_or_a_clean_cidr_fails_validation(string range)
    {
        var error = Assert.Throws<ArgumentException>(() => new FetchOptions { AllowAddresses = [range] }.Validate());
        Assert.Contains("--allow-address", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FetchOptions { DenyAddresses = [range] }.Validate());
    }
}
