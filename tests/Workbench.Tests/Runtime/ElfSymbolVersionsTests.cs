using System.Diagnostics;
using System.Text.RegularExpressions;
using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

/// <summary>Checks the ELF version reader and patcher against binutils' readelf, an independent implementation.</summary>
public sealed class ElfSymbolVersionsTests
{
    static string TorchSharpNative()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), "libLibTorchSharp.so is not in the test output (not Linux x64?)");
        return path;
    }

    static string ReadElf(string args)
    {
        Skip.If(!File.Exists("/usr/bin/readelf"), "binutils' readelf is not installed");
        var info = new ProcessStartInfo("readelf", args) { RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    /// <summary>readelf -V lines like "0x0140:   Name: GLIBCXX_3.4.32  Flags: WEAK  Version: 18" under each "File: X".</summary>
    static List<(string File, string Name, bool Weak)> ReadElfNeeds(string path)
    {
        var result = new List<(string, string, bool)>();
        string? file = null;
        bool inNeeds = false;
        foreach (var line in ReadElf($"-V {path}").Split('\n'))
        {
            if (line.StartsWith("Version needs section")) { inNeeds = true; continue; }
            if (line.StartsWith("Version") && !line.StartsWith("Version needs")) inNeeds = false;
            if (!inNeeds) continue;
            var f = Regex.Match(line, @"File: (\S+)");
            if (f.Success) { file = f.Groups[1].Value; continue; }
            var n = Regex.Match(line, @"Name: (\S+)\s+Flags: (\S+)");
            if (n.Success) result.Add((file!, n.Groups[1].Value, n.Groups[2].Value.Contains("WEAK")));
        }
        return result;
    }

    [SkippableFact]
    public void NeededVersionsMatchReadelf()
    {
        string lib = TorchSharpNative();
        var ours = ElfSymbolVersions.ReadNeeded(lib).Select(n => (n.Library, n.Version, n.IsWeak)).OrderBy(x => x).ToList();
        var theirs = ReadElfNeeds(lib).OrderBy(x => x).ToList();
        Assert.NotEmpty(theirs);
        Assert.Equal(theirs, ours);
        Assert.Contains(ours, n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
    }

    [SkippableFact]
    public void DefinedVersionsOfTheHostCppRuntimeMatchReadelf()
    {
        string? host = TorchRuntime.FindHostLibStdCxx();
        Skip.If(host is null, "no libstdc++ found");
        var theirs = Regex.Matches(ReadElf($"-V {host}"), @"Rev: \d+\s+Flags: [^\n]*?Index: \d+\s+Cnt: \d+\s+Name: (\S+)")
            .Select(m => m.Groups[1].Value).ToHashSet();
        var ours = ElfSymbolVersions.ReadDefined(host!);
        Assert.Contains("GLIBCXX_3.4", ours);
        Assert.True(theirs.SetEquals(ours), $"readelf: {theirs.Count} versions, ours: {ours.Count}");
    }

    [SkippableFact]
    public void MarkWeakChangesOnlyTheFlagsOfTheNamedVersion()
    {
        string lib = TorchSharpNative();
        using var temp = new TempFolder();
        string copy = temp["lib.so"];
        // Start from the unpatched state whatever the build output holds.
        var bytes = ElfEdits.WithMarkersRequired(File.ReadAllBytes(lib));
        File.WriteAllBytes(copy, bytes);
        var entry = ElfSymbolVersions.ReadNeeded(copy).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.False(ReadElfNeeds(copy).Single(n => n.Name == "GLIBCXX_3.4.32").Weak);

        int changed = ElfSymbolVersions.MarkWeak(copy, ["GLIBCXX_3.4.32"]);

        Assert.Equal(1, changed);
        var after = File.ReadAllBytes(copy);
        var differing = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != after[i]).ToList();
        Assert.Equal([(int)entry.FlagsOffset], differing);
        var needs = ReadElfNeeds(copy);
        Assert.True(needs.Single(n => n.Name == "GLIBCXX_3.4.32").Weak);
        Assert.All(needs.Where(n => n.Name != "GLIBCXX_3.4.32"), n => Assert.False(n.Weak));
        Assert.Equal(0, ElfSymbolVersions.MarkWeak(copy, ["GLIBCXX_3.4.32"])); // idempotent
    }

    [Fact]
    public void NonElfFileFailsNamingTheFile()
    {
        using var temp = new TempFolder();
        string path = temp["not-a-library.so"];
        File.WriteAllText(path, "this is text, not a shared library");
        var e = Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.ReadNeeded(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }
}
