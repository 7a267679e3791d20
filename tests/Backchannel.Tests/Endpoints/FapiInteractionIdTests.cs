using Backchannel.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Backchannel.Tests.Endpoints;

public sealed class FapiInteractionIdTests
{
    [Theory]
    [InlineData("3f1c5a2e-9b7d-4c1e-8f2a-6d5b4c3a2e1f")]
    [InlineData("3F1C5A2E-9B7D-4C1E-8F2A-6D5B4C3A2E1F")]
    public void A_single_uuid_is_answered_as_sent(string received) => Assert.Equal(received, FapiInteractionId.For(received));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3f1c5a2e9b7d4c1e8f2a6d5b4c3a2e1f")]
    [InlineData("(3f1c5a2e-9b7d-4c1e-8f2a-6d5b4c3a2e1f)")]
    [InlineData("3f1c5a2e-9b7d-4c1e-8f2a-6d5b4c3a2e1g")]
    [InlineData("3f1c5a2e-9b7d-4c1e-8f2a-6d5b4c3a2e1f\r\nSet-Cookie: x=1")]
    public void Anything_else_is_answered_with_a_fresh_uuid(string? received)
    {
        var answered = FapiInteractionId.For(received is null ? StringValues.Empty : new StringValues(received));

        Assert.NotEqual(received, answered);
        Assert.True(Guid.TryParseExact(answered, "D", out _));
    }

    [Fact]
    public void Two_values_are_answered_with_a_fresh_uuid()
    {
        var first = Guid.NewGuid().ToString();

        Assert.NotEqual(first, FapiInteractionId.For(new StringValues([first, Guid.NewGuid().ToString()])));
    }

    [Fact]
    public void Fresh_ids_are_distinct_random_rfc_4122_version_4_uuids()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => FapiInteractionId.NewId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            var uuid = Guid.ParseExact(id, "D");
            Assert.Equal(4, uuid.Version);
            Assert.Equal(0x8, uuid.Variant & 0xC);
            Assert.Equal('4', id[14]);
            Assert.Contains(id[19], "89ab");
        });
    }

    [Fact]
    public async Task An_answer_carries_the_id_even_when_the_endpoint_failed_and_its_answer_was_cleared()
    {
        var id = Guid.NewGuid().ToString();
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Headers[FapiInteractionId.HeaderName] = id;
        context.Response.Body = new MemoryStream();

        await FapiInteractionId.Echo(EndpointGuard.Guard(c =>
        {
            c.Response.Headers["X-Partial"] = "dropped";
            throw new InvalidOperationException("a failure nobody foresaw");
        }))(context);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.Equal(id, context.Response.Headers[FapiInteractionId.HeaderName]);
        Assert.False(context.Response.Headers.ContainsKey("X-Partial"));
    }
}
