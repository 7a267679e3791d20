using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// A user signed in to the portal over plain HTTP, as a browser would be: a cookie jar, the sign-in form posted with its
/// anti-forgery token, and the session's anti-forgery token read from the portal page for later forms and for the
/// <c>RequestVerificationToken</c> header of JSON calls. Redirects are not followed, so tests see them.
/// </summary>
internal sealed partial class PortalUser : IDisposable
{
    public const string AntiforgeryField = "__RequestVerificationToken";
    public const string AntiforgeryHeader = "RequestVerificationToken";

    private PortalUser(string issuer)
    {
        Cookies = new CookieContainer();
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(issuer),
        };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Http { get; }

    /// <summary>The anti-forgery token of the signed-in session (read from the portal page).</summary>
    public string Token { get; private set; } = string.Empty;

    /// <summary>A client that is not signed in (the sign-in page's anti-forgery cookie only).</summary>
    public static PortalUser Anonymous(TestProvider provider) => new(provider.Issuer);

    /// <summary>Signs in with the portal's form; fails the test unless the portal takes the user to /device.</summary>
    public static Task<PortalUser> SignInAsync(TestProvider provider, string username, string password) =>
        SignInAsync(provider.Issuer, username, password);

    /// <summary>Signs in to the portal of the provider at <paramref name="issuer"/> (a server process, say).</summary>
    public static async Task<PortalUser> SignInAsync(string issuer, string username, string password)
    {
        var user = new PortalUser(issuer);
        var form = await user.Http.GetStringAsync("/device/signin");
        using var signedIn = await user.Http.PostAsync("/device/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = "/device",
            [AntiforgeryField] = TokenIn(form),
        }));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/device", signedIn.Headers.Location?.OriginalString);
        user.Token = TokenIn(await user.PageAsync());
        return user;
    }

    /// <summary>The portal page (<c>GET /device</c>, with a query if given), as HTML.</summary>
    public async Task<string> PageAsync(string query = "")
    {
        using var response = await Http.GetAsync("/device" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Posts a portal form with the session's anti-forgery token (unless <paramref name="withToken"/> is false).</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string>? fields = null, bool withToken = true)
    {
        var form = new Dictionary<string, string>(fields ?? []);
        if (withToken)
        {
            form[AntiforgeryField] = Token;
        }

        return Http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>Sends a JSON call with the session's cookie and, unless <paramref name="withToken"/> is false, its anti-forgery header.</summary>
    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, object? body = null, bool withToken = true)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (withToken)
        {
            request.Headers.Add(AntiforgeryHeader, Token);
        }

        return Http.SendAsync(request);
    }

    /// <summary>The anti-forgery token of the first form of <paramref name="html"/>.</summary>
    public static string TokenIn(string html)
    {
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "no anti-forgery token in the page");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The transaction id of the request card of <paramref name="html"/> that shows <paramref name="bindingMessage"/>.</summary>
    public static string RequestIdOn(string html, string bindingMessage)
    {
        var match = Regex.Match(html, "data-request-id=\"([^\"]+)\">(?:(?!</article>).)*?<p class=\"binding-message\">" + Regex.Escape(WebUtility.HtmlEncode(bindingMessage)) + "</p>",
            RegexOptions.Singleline);
        Assert.True(match.Success, "no request card shows " + bindingMessage);
        return match.Groups[1].Value;
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"" + AntiforgeryField + "\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
