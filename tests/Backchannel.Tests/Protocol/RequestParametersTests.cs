using Backchannel.Protocol;
using Microsoft.Extensions.Primitives;

namespace Backchannel.Tests;

public class RequestParametersTests
{
    private static RequestParameters Form(params (string Name, string?[] Values)[] values) =>
        new(values.ToDictionary(v => v.Name, v => new StringValues(v.Values)));

    [Fact]
    public void Indexer_returns_the_value()
    {
        var form = Form(("scope", ["openid"]));

        Assert.Equal("openid", form["scope"]);
        Assert.True(form.Contains("scope"));
    }

    [Fact]
    public void Missing_parameter_is_null()
    {
        var form = Form(("scope", ["openid"]));

        Assert.Null(form["login_hint"]);
        Assert.False(form.Contains("login_hint"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Empty_value_counts_as_absent(string? value)
    {
        var form = Form(("login_hint", [value]));

        Assert.Null(form["login_hint"]);
        Assert.False(form.Contains("login_hint"));
    }

    [Fact]
    public void Parameter_with_no_values_counts_as_absent()
    {
        var form = Form(("login_hint", []));

        Assert.Null(form["login_hint"]);
    }

    [Fact]
    public void Names_are_case_sensitive_as_the_dictionary_says()
    {
        var form = new RequestParameters(new Dictionary<string, StringValues>(StringComparer.Ordinal) { ["Scope"] = "openid" });

        Assert.Null(form["scope"]);
    }

    [Fact]
    public void FindRepeated_is_null_when_nothing_repeats()
    {
        var form = Form(("scope", ["openid"]), ("login_hint", ["alice"]));

        Assert.Null(form.FindRepeated());
    }

    [Fact]
    public void FindRepeated_names_the_repeated_parameter()
    {
        var form = Form(("scope", ["openid"]), ("login_hint", ["alice", "bob"]));

        Assert.Equal("login_hint", form.FindRepeated());
    }

    [Fact]
    public void FindRepeated_counts_empty_repetitions()
    {
        var form = Form(("binding_message", ["", ""]));

        Assert.Equal("binding_message", form.FindRepeated());
    }

    [Fact]
    public void Empty_has_no_parameters()
    {
        Assert.Null(RequestParameters.Empty.FindRepeated());
        Assert.Null(RequestParameters.Empty["scope"]);
    }
}
