using System.Diagnostics;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Workbench.Notebooks;

/// <summary>What one executed cell did.</summary>
/// <param name="Number">1-based position among all cells, as VS Code shows them top to bottom.</param>
/// <param name="Elapsed">Wall time of the cell.</param>
/// <param name="Error">The error message when the cell failed.</param>
/// <param name="Injected">Whether the runner injected this cell (parameter overrides).</param>
public sealed record CellResult(int Number, TimeSpan Elapsed, string? Error, bool Injected = false);

/// <summary>The executed notebook and what each cell did.</summary>
/// <param name="Path">The notebook that ran.</param>
/// <param name="Executed">The notebook with outputs.</param>
/// <param name="Cells">One entry per executed code cell.</param>
public sealed record NotebookResult(string Path, InteractiveDocument Executed, IReadOnlyList<CellResult> Cells)
{
    /// <summary>The first failed cell, if any.</summary>
    public CellResult? Failure => Cells.FirstOrDefault(c => c.Error is not null);
    /// <summary>Total wall time.</summary>
    public TimeSpan Elapsed => Cells.Aggregate(TimeSpan.Zero, (t, c) => t + c.Elapsed);
}

/// <summary>
/// Executes a notebook cell by cell in an in-process C# kernel, collecting display values, stdout/stderr and errors
/// into an executed copy. The working directory is the notebook's folder while it runs, as in VS Code, so relative
/// paths (the first cell's <c>#r "../artifacts/workbench/Workbench.dll"</c>) mean the same in both.
/// Execution stops at the first failing cell.
/// </summary>
public sealed class NotebookRunner
{
    /// <summary>Called after each cell with the notebook path, the cell result and the number of code cells.</summary>
    public Action<string, CellResult, int>? CellFinished { get; init; }

    /// <summary>Runs one notebook with parameter overrides (applied after its parameters cell).</summary>
    public async Task<NotebookResult> RunAsync(string path, IReadOnlyDictionary<string, string> parameters, CancellationToken cancel = default)
    {
        path = Path.GetFullPath(path);
        var source = NotebookFile.Load(path);
        var cells = PrepareCells(path, source, parameters);
        int codeCells = cells.Count(c => !NotebookFile.IsMarkdown(c.Element));

        var executed = new InteractiveDocument();
        var results = new List<CellResult>();
        string previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(path)!;
        try
        {
            using var kernel = CreateKernel();
            bool failed = false;
            foreach (var (element, number, injected) in cells)
            {
                if (NotebookFile.IsMarkdown(element) || failed)
                {
                    executed.Add(Copy(element, []));
                    continue;
                }
                var watch = Stopwatch.StartNew();
                var (outputs, error) = await ExecuteAsync(kernel, element.Contents, cancel);
                var result = new CellResult(number, watch.Elapsed, error, injected);
                results.Add(result);
                executed.Add(Copy(element, outputs));
                CellFinished?.Invoke(path, result, codeCells);
                failed = error is not null;
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }
        return new NotebookResult(path, executed, results);
    }

    static List<(InteractiveDocumentElement Element, int Number, bool Injected)> PrepareCells(
        string path, InteractiveDocument source, IReadOnlyDictionary<string, string> parameters)
    {
        var cells = source.Elements.Select((e, i) => (e, i + 1, false)).ToList();
        // The injected cell is numbered like the parameters cell it follows.
        if (NotebookParameters.Injection(path, source, parameters) is var (index, injected))
            cells.Insert(index, (injected, index, true));
        return cells;
    }

    static InteractiveDocumentElement Copy(InteractiveDocumentElement source, IEnumerable<InteractiveDocumentOutputElement> outputs)
    {
        var copy = new InteractiveDocumentElement(source.Contents, source.KernelName, outputs);
        if (source.Metadata is not null) copy.Metadata = new Dictionary<string, object>(source.Metadata);
        return copy;
    }

    static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel()
            .UseKernelHelpers()
            .UseNugetDirective(LoadPackageAsync, forceRestore: false);
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = csharp.Name;
        return composite;
    }

    /// <summary>Adds a restored package's assemblies and loads its notebook extensions, as Polyglot Notebooks does.</summary>
    static async Task LoadPackageAsync(CSharpKernel kernel, IReadOnlyList<ResolvedPackageReference> packages)
    {
        kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
        foreach (var package in packages)
        {
            string extensions = Path.Combine(package.PackageRoot, "interactive-extensions", "dotnet");
            if (!Directory.Exists(extensions)) continue;
            foreach (var dll in Directory.GetFiles(extensions, "*.dll"))
            {
                var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
                foreach (var type in assembly.ExportedTypes.Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && !t.IsAbstract))
                    if (Activator.CreateInstance(type) is IKernelExtension extension)
                        await extension.OnLoadAsync(kernel.RootKernel);
            }
        }
    }

    static async Task<(List<InteractiveDocumentOutputElement> Outputs, string? Error)> ExecuteAsync(
        Kernel kernel, string code, CancellationToken cancel)
    {
        var command = new SubmitCode(code);
        var result = await kernel.SendAsync(command, cancel);
        var outputs = new List<InteractiveDocumentOutputElement>();
        var displays = new Dictionary<string, int>();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        string? error = null;
        // This .NET Interactive build gives an update a different ValueId from the display it updates, so an update
        // with an unknown id is bound to the latest display of the same value type not yet bound to another id.
        var unbound = new List<(int Slot, Type? Type)>();

        int? FindUpdatedSlot(DisplayedValueUpdated update)
        {
            if (displays.TryGetValue(update.ValueId, out int known)) return known;
            int at = unbound.FindLastIndex(u => u.Type == update.Value?.GetType());
            if (at < 0) return null;
            int slot = unbound[at].Slot;
            unbound.RemoveAt(at);
            displays[update.ValueId] = slot;
            return slot;
        }

        void FlushText()
        {
            if (stdout.Length > 0) { outputs.Add(new TextElement(stdout.ToString(), "stdout")); stdout.Clear(); }
            if (stderr.Length > 0) { outputs.Add(new TextElement(stderr.ToString(), "stderr")); stderr.Clear(); }
        }

        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced o: stdout.Append(Text(o)); break;
                case StandardErrorValueProduced o: stderr.Append(Text(o)); break;
                case DisplayedValueUpdated u when u.ValueId is not null && FindUpdatedSlot(u) is int slot:
                    outputs[slot] = Display(u); // a display updated in place keeps its place, with its last value
                    break;
                case ReturnValueProduced r when r.Value is Microsoft.DotNet.Interactive.Formatting.DisplayedValue:
                    break;
                case ErrorProduced p:
                    FlushText();
                    outputs.Add(new ErrorElement("Error", p.Message, []));
                    break;
                case DisplayEvent d:
                    FlushText();
                    if (d.ValueId is not null) displays[d.ValueId] = outputs.Count;
                    if (d is DisplayedValueProduced) unbound.Add((outputs.Count, d.Value?.GetType()));
                    outputs.Add(Display(d));
                    break;
                case CommandFailed f when f.Command == command || error is null:
                    error = Describe(f);
                    break;
            }
        }
        FlushText();
        if (error is not null) outputs.Add(new ErrorElement("Error", error, []));
        return (outputs, error);
    }

    static string Text(DisplayEvent e) => e.FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? "";

    static DisplayElement Display(DisplayEvent e) =>
        new(e.FormattedValues.GroupBy(v => v.MimeType).ToDictionary(g => g.Key, g => (object)g.First().Value));

    static string Describe(CommandFailed failed)
    {
        var ex = failed.Exception;
        if (ex is null) return failed.Message.Trim();
        while (ex is AggregateException { InnerException: { } inner }) ex = inner;
        while (ex is System.Reflection.TargetInvocationException { InnerException: { } inner2 }) ex = inner2;
        return $"{ex.GetType().Name}: {ex.Message}".Trim();
    }
}
