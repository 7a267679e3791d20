using Backchannel.Abstractions;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>Turns what stops the provider from starting (settings, the store) into a list of messages for the operator.</summary>
public static class StartupErrors
{
    /// <summary>The messages, one per problem, each naming the setting; empty when the exception is not a configuration or store problem.</summary>
    public static IReadOnlyList<string> Describe(Exception exception)
    {
        var messages = new List<string>();
        Collect(exception, messages);
        return messages.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Collect(Exception exception, List<string> messages)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                messages.AddRange(validation.Failures);
                break;
            case StoreUnavailableException store:
                messages.Add(store.Message);
                break;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, messages);
                }

                break;
            case { InnerException: { } inner }:
                Collect(inner, messages);
                break;
        }
    }
}
