using System.Diagnostics;

namespace Workbench.Tests.Runtime;

/// <summary>
/// A program that uses the library and builds a model first thing, calling nothing else, against a build folder whose
/// TorchSharp native library is as shipped. F# Interactive (part of the .NET SDK) is that program: a fresh process
/// with no workbench entry point of its own.
/// </summary>
public sealed class LibraryUserTests(UnpatchedBuildFolder build) : IClassFixture<UnpatchedBuildFolder>
{
    string BuildModelFirstThing()
    {
        string script = build.Scratch($"user-{Guid.NewGuid():N}.fsx");
        File.WriteAllText(script, $$"""
            #r "{{Path.Combine(build.Folder, "TorchSharp.dll")}}"
            #r "{{Path.Combine(build.Folder, "Workbench.dll")}}"
            try
                let model = new Workbench.Models.Clip.ClipModel(Workbench.Models.Clip.ClipConfig.Quick(50, 2))
                printfn "parameters: %d" (model.parameters() |> Seq.sumBy (fun p -> p.numel()))
            with e ->
                printfn "%s: %s" (e.GetType().Name) e.Message
            """);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = build.Scratch("") };
        foreach (var a in new[] { "fsi", "--quiet", script }) info.ArgumentList.Add(a);
        foreach (var (name, value) in OneTorchThread.Environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet fsi {script} did not finish.");
        }
        return stdout.Result + stderr.Result;
    }

    [SkippableFact]
    public void BuildingAModelFirstAppliesTheFixBeforeTorchSharpLoads()
    {
        build.SkipUnlessAvailable();
        build.Install(build.Unpatched);

        string output = BuildModelFirstThing();

        // Any positive count means the model was built (its size is ClipModelTests' business).
        Assert.Matches(@"parameters: [1-9]\d*", output);
        Assert.DoesNotContain("Exception", output);
    }

    [SkippableFact]
    public void WhenTheFixCannotHelpBuildingAModelThrowsTorchLoadExceptionNamingTheVersion()
    {
        build.SkipUnlessAvailable();
        build.Install(ElfEdits.RenameVersion(build.Unpatched, "GLIBCXX_3.4.29", "GLIBCXX_9.9.99"));

        string output = BuildModelFirstThing();

        // The module initializer found the problem but must not throw (that would poison every type of Workbench.dll):
        // the first call that needs the native library raises it instead.
        Assert.StartsWith("TorchLoadException: ", output.Trim());
        Assert.Contains("GLIBCXX_9.9.99", output);
        Assert.Contains(build.NativeLibrary, output);
        Assert.DoesNotContain("TypeInitializationException", output);
        Assert.DoesNotContain("DllNotFoundException", output);
    }
}
