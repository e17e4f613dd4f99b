using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbench.IO;

/// <summary>Writes a pair of numbers such as <see cref="Training.TrainerConfig.Betas"/> as <c>[0.9, 0.95]</c> (System.Text.Json writes tuples as <c>{}</c>).</summary>
public sealed class PairJsonConverter : JsonConverter<(double, double)>
{
    /// <inheritdoc />
    public override (double, double) Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var pair = JsonSerializer.Deserialize<double[]>(ref reader, options);
        return pair is { Length: 2 } ? (pair[0], pair[1]) : throw new JsonException("expected a pair of numbers, e.g. [0.9, 0.95]");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, (double, double) value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Item1);
        writer.WriteNumberValue(value.Item2);
        writer.WriteEndArray();
    }
}
