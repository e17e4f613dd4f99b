namespace Workbench.Runtime;

/// <summary>
/// A setting that holds for the code inside a <see cref="Use"/> scope on this thread and the async flow it starts, the
/// innermost scope winning; disposing the scope restores the setting outside it. Other threads never see it.
/// </summary>
internal sealed class ScopedValue<T> where T : struct
{
    readonly AsyncLocal<T?> current = new();

    /// <summary>The innermost scope's value, or null outside every scope.</summary>
    public T? Value => current.Value;

    /// <summary>Sets <paramref name="value"/> until the result is disposed (disposing twice restores once).</summary>
    public IDisposable Use(T value)
    {
        var outer = current.Value;
        current.Value = value;
        return new Restore(this, outer);
    }

    sealed class Restore(ScopedValue<T> owner, T? outer) : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            owner.current.Value = outer;
        }
    }
}
