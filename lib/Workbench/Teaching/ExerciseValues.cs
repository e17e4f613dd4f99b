using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Teaching;

/// <summary>Tensors in words for an exercise's report: the shape, then the values, rounded, up to a limit.</summary>
public static class ExerciseValues
{
    /// <summary>"(2, 3) [[0.1, 0.2, 0.3], [...]]"; long tensors are shortened with "…".</summary>
    public static string Describe(Tensor tensor, int maxValues = 48)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().cpu();
        string shape = "(" + string.Join(", ", t.shape) + ")";
        if (t.numel() == 0) return shape + " []";
        bool whole = t.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool;
        var values = whole ? t.to_type(ScalarType.Int64).data<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray()
                           : t.to_type(ScalarType.Float64).data<double>().Select(Number).ToArray();
        return t.dim() == 0 ? values[0] : shape + " " + Nest(values, t.shape, maxValues);
    }

    /// <summary>A number as a report shows it: four significant decimals, NaN and infinities by name.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    static string Nest(string[] values, long[] shape, int maxValues)
    {
        int shown = 0;
        string Level(int dim, int offset)
        {
            long stride = shape.Skip(dim + 1).Aggregate(1L, (a, b) => a * b);
            var parts = new List<string>();
            for (long i = 0; i < shape[dim]; i++)
            {
                if (shown >= maxValues) { parts.Add("…"); break; }
                if (dim == shape.Length - 1) { parts.Add(values[offset + i]); shown++; }
                else parts.Add(Level(dim + 1, (int)(offset + i * stride)));
            }
            return "[" + string.Join(", ", parts) + "]";
        }
        return Level(0, 0);
    }
}
