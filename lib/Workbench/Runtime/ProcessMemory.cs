namespace Workbench.Runtime;

/// <summary>The process's memory as the operating system counts it.</summary>
public static class ProcessMemory
{
    /// <summary>The process's peak resident memory so far (Linux's <c>VmHWM</c>), in MB; NaN where /proc is absent.</summary>
    public static double PeakRssMb() => StatusMb("VmHWM:");

    /// <summary>The process's resident memory now (Linux's <c>VmRSS</c>), in MB; NaN where /proc is absent.</summary>
    public static double CurrentRssMb() => StatusMb("VmRSS:");

    static double StatusMb(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
