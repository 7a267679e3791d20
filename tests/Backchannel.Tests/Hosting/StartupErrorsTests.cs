using Backchannel.Abstractions;
using Backchannel.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Tests.Hosting;

public class StartupErrorsTests
{
    [Fact]
    public void Every_failure_of_every_section_is_one_message_even_when_it_contains_a_semicolon()
    {
        var ciba = new OptionsValidationException("Ciba", typeof(object), ["Backchannel:Ciba:A is wrong; really wrong.", "Backchannel:Ciba:B is wrong."]);
        var demo = new OptionsValidationException("Demo", typeof(object), ["Backchannel:Demo:Enabled is true; remove it."]);

        var messages = StartupErrors.Describe(new InvalidOperationException("start", new AggregateException(ciba, demo)));

        Assert.Equal(["Backchannel:Ciba:A is wrong; really wrong.", "Backchannel:Ciba:B is wrong.", "Backchannel:Demo:Enabled is true; remove it."], messages);
    }

    [Fact]
    public void A_store_problem_is_described_and_anything_else_is_not()
    {
        Assert.Equal(["The database is gone."], StartupErrors.Describe(new StoreUnavailableException("The database is gone.")));
        Assert.Empty(StartupErrors.Describe(new InvalidOperationException("a bug")));
    }
}
