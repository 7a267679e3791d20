using Backchannel.Admin;

namespace Backchannel.Tests.Admin;

public class AdminUserRulesTests
{
    private static readonly HashSet<string> Channels = ["http", "portal"];

    [Fact]
    public void A_complete_user_passes()
    {
        var input = new AdminUserInput
        {
            Subject = "u-1",
            Username = "una",
            Email = "una@example.com",
            PhoneNumber = "+15550001",
            Name = "Una Example",
            Channel = "portal",
            Claims = new() { ["locale"] = "de-DE", ["address"] = "1 Main St, Springfield" },
            Password = "correct horse battery staple",
            UserCode = "4711",
        };

        Assert.Empty(AdminUserRules.Check(input, creating: true, Channels));
    }

    [Fact]
    public void Every_problem_is_listed_naming_its_field()
    {
        var input = new AdminUserInput
        {
            Username = "has space",
            Email = "nobody",
            PhoneNumber = new string('1', 33),
            Name = "line\nbreak",
            Channel = "carrier-pigeon",
            Claims = Enumerable.Range(0, 51).ToDictionary(i => $"c{i}", i => "v"),
            UserCode = "12 34",
        };

        var errors = AdminUserRules.Check(input, creating: true, Channels);

        foreach (var field in new[] { "sub is required", "username has spaces", "email must be", "phone_number is longer", "name has control",
                     "channel 'carrier-pigeon'", "claims has more than 50", "user_code has spaces" })
        {
            Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_update_needs_no_sub_and_blank_values_are_none()
    {
        Assert.Empty(AdminUserRules.Check(new AdminUserInput { Name = "Una" }, creating: false, Channels));
        Assert.Null(AdminUserRules.Value("   "));
        Assert.Equal("x", AdminUserRules.Value("x"));
    }
}
