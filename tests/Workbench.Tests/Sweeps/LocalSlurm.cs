using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workbench.Tests.Sweeps;

/// <summary>
/// A one-node Slurm on this machine from Debian's packages (<c>slurm-wlm</c>, <c>munge</c>; <c>./workbench setup --test</c>
/// installs them): munged if it is not running, then slurmctld and slurmd on localhost with a minimal slurm.conf in a
/// temporary folder, on free ports. Disposing stops the daemons it started, by their pid files.
/// </summary>
public sealed class LocalSlurm : IDisposable
{
    readonly TempFolder temp = new();
    readonly List<string> pidFiles = [];

    /// <summary>Why Slurm cannot run here (not Linux, no apt, not root), or null.</summary>
    public static string? SkipReason =>
        !OperatingSystem.IsLinux() ? "Slurm is tested on Linux only"
        : !File.Exists("/usr/bin/apt-get") ? "no apt-get: slurm-wlm and munge come from Debian's packages"
        : Environment.UserName != "root" ? "the one-node Slurm runs slurmd as root (CI runs as root)"
        : null;

    /// <summary>The slurm.conf every Slurm command of this cluster must see (as <c>SLURM_CONF</c>).</summary>
    public string Config => temp["slurm.conf"];

    public LocalSlurm()
    {
        foreach (var tool in new[] { "slurmctld", "slurmd", "sbatch", "sinfo", "munged" })
            if (!File.Exists($"/usr/sbin/{tool}") && !File.Exists($"/usr/bin/{tool}"))
                throw new InvalidOperationException($"{tool} is not installed: run ./workbench setup --test (it installs slurm-wlm and munge).");
        EnsureMunge();
        Directory.CreateDirectory(temp["state"]);
        Directory.CreateDirectory(temp["spool"]);
        File.WriteAllText(Config, $"""
            ClusterName=workbench
            SlurmctldHost=localhost
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            ReturnToService=2
            StateSaveLocation={temp["state"]}
            SlurmdSpoolDir={temp["spool"]}
            SlurmctldPidFile={temp["slurmctld.pid"]}
            SlurmdPidFile={temp["slurmd.pid"]}
            SlurmctldLogFile={temp["slurmctld.log"]}
            SlurmdLogFile={temp["slurmd.log"]}
            NodeName=localhost CPUs=2 RealMemory=4000 State=UNKNOWN
            PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
            """);
        pidFiles.Add(temp["slurmctld.pid"]);
        pidFiles.Add(temp["slurmd.pid"]);
        Require(Run("slurmctld", "-c"), "slurmctld");
        Require(Run("slurmd", "-N", "localhost"), "slurmd");
        var clock = Stopwatch.StartNew();
        while (!Run("sinfo", "-h", "-o", "%T").Stdout.Contains("idle"))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"the Slurm node did not become idle in 60 s:\n{Log("slurmctld.log")}\n{Log("slurmd.log")}");
            Thread.Sleep(500);
        }
    }

    /// <summary>Runs a Slurm (or any) command against this cluster.</summary>
    public Cli.Result Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["SLURM_CONF"] = Config;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return new Cli.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A daemon's log, for failure messages.</summary>
    public string Log(string name) => File.Exists(temp[name]) ? File.ReadAllText(temp[name]) : $"({name} missing)";

    void EnsureMunge()
    {
        if (MungeWorks()) return;
        foreach (var dir in new[] { "/run/munge", "/var/log/munge", "/var/lib/munge", "/etc/munge" })
        {
            Directory.CreateDirectory(dir);
            Require(Run("chown", "munge:munge", dir), $"chown {dir}");
        }
        if (!File.Exists("/etc/munge/munge.key")) Require(Run("su", "-s", "/bin/sh", "munge", "-c", "mungekey --create"), "mungekey");
        Require(Run("su", "-s", "/bin/sh", "munge", "-c", "munged --force"), "munged");
        pidFiles.Add("/run/munge/munged.pid");
        var clock = Stopwatch.StartNew();
        while (!MungeWorks())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException("munged started but does not answer.");
            Thread.Sleep(200);
        }
    }

    bool MungeWorks() => Run("/bin/sh", "-c", "munge -n | unmunge").ExitCode == 0;

    static void Require(Cli.Result result, string what)
    {
        if (result.ExitCode != 0) throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.All}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var pidFile in pidFiles.AsEnumerable().Reverse())
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (ArgumentException) { }   // already gone
            catch (InvalidOperationException) { }
        }
        temp.Dispose();
    }
}
