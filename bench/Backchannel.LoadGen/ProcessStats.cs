using System.Diagnostics;
using System.Globalization;

namespace Backchannel.LoadGen;

/// <summary>CPU time and memory of a process, read from /proc (Linux). Children are not included.</summary>
public static class ProcessStats
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/[pid]/stat; 100 on every Linux the generator runs on.</summary>
    private const double ClockTicksPerSecond = 100.0;

    /// <summary>utime + stime of the process in seconds, or null when /proc/[pid]/stat cannot be read.</summary>
    public static double? CpuSeconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return pid == Environment.ProcessId ? Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds : null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var stime))
        {
            return null;
        }

        return (utime + stime) / ClockTicksPerSecond;
    }

    /// <summary>VmRSS and VmHWM (peak RSS) in bytes, from /proc/[pid]/status.</summary>
    public static (long? Rss, long? PeakRss) Memory(int pid)
    {
        long? rss = null, peak = null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = ParseKiB(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }

        return (rss, peak);
    }

    public static bool Exists(int pid) => File.Exists($"/proc/{pid}/stat");

    public static string? CommandName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ParseKiB(string line)
    {
        // "VmRSS:	  123456 kB"
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
    }
}
