using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Runtime;

/// <summary>
/// Scalars that live for the whole process, and the sum of two tensors without a Scalar made on the fly.
/// <para>
/// TorchSharp turns each number passed to a tensor operation into a native Scalar and lets go of it as soon as its handle
/// is read, so the garbage collector may finalise it while LibTorch still reads it (dotnet/TorchSharp#1434, open). Its
/// <c>a + b</c> is one of those: it calls <c>add(b, 1)</c>, and the 1 becomes a fresh Scalar every time. A program that
/// sums two tensors 300,000 times while a second thread forces collections got "Expected false to be true" from
/// <c>Scalar::toFloat</c> once or twice a run that way, and never with the alpha held here (2026-12-02, three runs
/// each). Training does the same, collections started by other threads landing while a step is inside LibTorch; every
/// residual connection sums two tensors, so model code writes <see cref="Plus"/> where it would write <c>+</c>.
/// </para>
/// </summary>
public static class HeldScalars
{
    /// <summary>1, the alpha of a plain sum.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>−∞, what attention writes over the scores of keys a query may not see.</summary>
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary><c>a + b</c> (with broadcasting and autograd as <c>+</c>), its alpha of 1 held for the process.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);
}
