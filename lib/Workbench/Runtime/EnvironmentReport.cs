using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using Workbench.Data;

namespace Workbench.Runtime;

/// <summary>One data set the workbench can use, and where it was found.</summary>
/// <param name="Name">The data set.</param>
/// <param name="Location">Where it is, or null when it is missing.</param>
/// <param name="Note">How it is made or how to get it.</param>
public sealed record DataSetStatus(string Name, string? Location, string Note);

/// <summary>What the workbench runs on: versions, threads, devices, the native fix, data sets.</summary>
public sealed record EnvironmentReport(
    string DotNet,
    string OperatingSystem,
    string TorchSharp,
    string LibTorch,
    string TorchBackend,
    int Threads,
    string Device,
    int CudaDevices,
    TorchLoadReport NativeLoad,
    IReadOnlyList<DataSetStatus> DataSets)
{
    /// <summary>Collects the report, loading TorchSharp if needed (throws <see cref="TorchLoadException"/> when it cannot).</summary>
    public static EnvironmentReport Collect()
    {
        var load = TorchRuntime.EnsureLoaded();
        var torchAssembly = typeof(torch).Assembly;
        string torchSharp = torchAssembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                            ?? torchAssembly.GetName().Version?.ToString() ?? "?";
        string backend = typeof(EnvironmentReport).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";
        int cuda = 0;
        try { cuda = torch.cuda.is_available() ? torch.cuda.device_count() : 0; } catch (Exception) { }
        string? fashion = FashionMnistLocator.TryLocate();
        return new EnvironmentReport(
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            torchSharp,
            torch.__version__,
            backend,
            torch.get_num_threads(),
            ComputeDevice.Current.ToString(),
            cuda,
            load,
            [
                new DataSetStatus("ShapesWorld", "built in", "generated on the fly; nothing to install"),
                new DataSetStatus("Fashion-MNIST", fashion, fashion is null ? FashionMnistLocator.HowToGet : "official IDX files"),
            ]);
    }

    /// <summary>The native-library line: whether the Debian 12 fix was needed and applied.</summary>
    public string NativeFix => NativeLoad switch
    {
        { MissingVersions.Count: 0 } => "not needed (the C++ runtime provides every version TorchSharp asks for)",
        { PatchedNow.Count: > 0 } => $"applied now: {string.Join(", ", NativeLoad.MissingVersions)} marked weak in {string.Join(", ", NativeLoad.PatchedNow)}",
        _ => $"applied earlier: {string.Join(", ", NativeLoad.MissingVersions)} marked weak in {NativeLoad.NativeLibrary}",
    };

    /// <summary>Label/value rows, in display order.</summary>
    public IEnumerable<(string Label, string Value)> Rows()
    {
        yield return (".NET", DotNet);
        yield return ("OS", OperatingSystem);
        yield return ("TorchSharp", $"{TorchSharp} ({TorchBackend} build)");
        yield return ("LibTorch", LibTorch);
        yield return ("threads", Threads.ToString());
        yield return ("allocator", $"{NativeAllocator.State} (WORKBENCH_MALLOC=default keeps glibc's own settings)");
        yield return ("precision", PreferredPrecision.Describe());
        yield return ("device", $"{Device} (CUDA devices: {CudaDevices}; override with {ComputeDevice.EnvironmentVariable})");
        yield return ("native library", NativeLoad.NativeLibrary ?? "(loaded by the host)");
        yield return ("C++ runtime", NativeLoad.HostLibStdCxx ?? "-");
        yield return ("native fix", NativeFix);
        foreach (var d in DataSets) yield return ($"data: {d.Name}", d.Location is null ? $"not found. {d.Note}" : $"{d.Location} ({d.Note})");
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var rows = Rows().ToList();
        int width = rows.Max(r => r.Label.Length);
        var text = new StringBuilder();
        foreach (var (label, value) in rows) text.Append(label.PadRight(width + 2)).AppendLine(value);
        return text.ToString();
    }

    /// <summary>The report as an HTML table.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"workbench-environment\">");
        foreach (var (label, value) in Rows())
            html.Append("<tr><th style=\"text-align:left\">").Append(WebUtility.HtmlEncode(label))
                .Append("</th><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        return html.Append("</table>").ToString();
    }
}
