using System.Reflection;
using Microsoft.DotNet.Interactive.Formatting;

namespace Workbench;

/// <summary>
/// One notebook output that a long-running call updates in place (training progress, a growing loss chart).
/// Inside a notebook it uses the host's <c>Kernel.display</c>; anywhere else (the CLI, tests) it does nothing, so
/// library code can report progress without knowing where it runs. Updates are throttled.
/// </summary>
public sealed class LiveDisplay
{
    static readonly Lazy<MethodInfo?> DisplayMethod = new(FindKernelDisplay);
    readonly DisplayedValue? handle;
    readonly TimeSpan minInterval;
    DateTime lastUpdate = DateTime.MinValue;

    LiveDisplay(DisplayedValue? handle, TimeSpan minInterval) => (this.handle, this.minInterval) = (handle, minInterval);

    /// <summary>Whether this display shows in a notebook.</summary>
    public bool InNotebook => handle is not null;

    /// <summary>Shows a value in the running notebook cell (when there is one) and returns a handle to update it.</summary>
    public static LiveDisplay Show(object initial, TimeSpan? minInterval = null)
    {
        DisplayedValue? handle = null;
        try
        {
            handle = DisplayMethod.Value?.Invoke(null, [initial, Array.Empty<string>()]) as DisplayedValue;
        }
        catch (TargetInvocationException)
        {
            // No cell is running (e.g. called from a background thread): behave as outside a notebook.
        }
        return new LiveDisplay(handle, minInterval ?? TimeSpan.FromSeconds(0.5));
    }

    /// <summary>Replaces the shown value; skipped when the last update was less than the minimum interval ago, unless forced.</summary>
    public void Update(object value, bool force = false)
    {
        if (handle is null) return;
        var now = DateTime.UtcNow;
        if (!force && now - lastUpdate < minInterval) return;
        lastUpdate = now;
        handle.Update(value);
    }

    /// <summary>The notebook host's <c>Microsoft.DotNet.Interactive.Kernel.display(object, string[])</c>, when one is loaded.</summary>
    static MethodInfo? FindKernelDisplay() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "Microsoft.DotNet.Interactive")
            .Select(a => a.GetType("Microsoft.DotNet.Interactive.Kernel"))
            .Select(t => t?.GetMethod("display", BindingFlags.Public | BindingFlags.Static, [typeof(object), typeof(string[])]))
            .FirstOrDefault(m => m is not null);
}
