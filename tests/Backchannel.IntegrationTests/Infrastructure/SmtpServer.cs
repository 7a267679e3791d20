using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MimeKit;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A mail the SMTP server received: the message and its envelope recipients (bcc included).</summary>
internal sealed record ReceivedMail(MimeMessage Message, IReadOnlyList<string> EnvelopeRecipients)
{
    public string Text => Message.TextBody ?? string.Empty;
    public string Html => Message.HtmlBody ?? string.Empty;
}

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd (python3-aiosmtpd, installed by build.sh), started on a free port,
/// saving every message into a Maildir the test reads (aiosmtpd adds the envelope as X-MailFrom and X-RcptTo). A machine
/// without it fails the tests, loudly.
/// </summary>
internal sealed class SmtpServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";

    private readonly Process _process;
    private readonly string _directory;

    private SmtpServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    private string MaildirNew => Path.Combine(_directory, "maildir", "new");

    /// <summary>
    /// Starts the server on <paramref name="port"/> (default: a free one); with <paramref name="certificates"/>, it requires
    /// STARTTLS, or (<paramref name="implicitTls"/>) speaks TLS from the first byte, with their server certificate.
    /// </summary>
    public static async Task<SmtpServer> StartAsync(int? port = null, TestCertificates? certificates = null, bool implicitTls = false)
    {
        var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import aiosmtpd"]) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{Python} cannot be started.");
        await check.WaitForExitAsync();
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The e-mail tests need Debian's aiosmtpd for {Python}; ./build.sh test installs it (apt-get install python3-aiosmtpd).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "backchannel-smtp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var listenPort = port ?? FreePort.Next();
        List<string> arguments = ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{listenPort}"];
        if (certificates is not null)
        {
            var certificate = Path.Combine(directory, "server.pem");
            var key = Path.Combine(directory, "server.key");
            await File.WriteAllTextAsync(certificate, certificates.Server.ExportCertificatePem());
            await File.WriteAllTextAsync(key, certificates.Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            arguments.AddRange(implicitTls ? ["--smtpscert", certificate, "--smtpskey", key] : ["--tlscert", certificate, "--tlskey", key]);
        }

        arguments.AddRange(["-c", "aiosmtpd.handlers.Mailbox", Path.Combine(directory, "maildir")]);
        var process = Process.Start(new ProcessStartInfo(Python, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new SmtpServer(process, directory, listenPort);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, listenPort);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"aiosmtpd did not start listening on 127.0.0.1:{listenPort}.");
            }
        }
    }

    /// <summary>Every mail received so far.</summary>
    public IReadOnlyList<ReceivedMail> Received()
    {
        if (!Directory.Exists(MaildirNew))
        {
            return [];
        }

        return Directory.GetFiles(MaildirNew).OrderBy(File.GetLastWriteTimeUtc).Select(file =>
        {
            var message = MimeMessage.Load(file);
            var recipients = (message.Headers["X-RcptTo"] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new ReceivedMail(message, recipients);
        }).ToList();
    }

    /// <summary>The mails whose subject or text holds <paramref name="marker"/>, once there are <paramref name="count"/> of them.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(string marker, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var mails = For(marker);
            if (mails.Count >= count || DateTime.UtcNow > deadline)
            {
                return mails;
            }

            await Task.Delay(50);
        }
    }

    public IReadOnlyList<ReceivedMail> For(string marker) =>
        Received().Where(m => (m.Message.Subject ?? string.Empty).Contains(marker, StringComparison.Ordinal) || m.Text.Contains(marker, StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
