using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;

namespace Workbench.Training.Runs;

/// <summary>
/// Changes named settings of a configuration record, <c>Name=value</c> or <c>Trainer.Steps=100</c> for nested ones, the
/// way an ablation varies one knob: <c>workbench train lm --set RandomPositionOffsets=false</c>. Values are JSON
/// (numbers, <c>true</c>, <c>false</c>) or plain text. An unknown name or a value of the wrong type fails naming it.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>Applies <paramref name="assignments"/> in order to <paramref name="config"/>.</summary>
    public static T Apply<T>(T config, IEnumerable<string> assignments)
    {
        var list = assignments.ToList();
        if (list.Count == 0) return config;
        var root = JsonSerializer.SerializeToNode(config, RunFolder.Json)!.AsObject();
        foreach (var assignment in list)
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"--set {assignment}: write Name=value (e.g. Trainer.Steps=100).");
            string path = assignment[..equals].Trim(), text = assignment[(equals + 1)..].Trim();
            var parts = path.Split('.');
            var target = root;
            Type? type = typeof(T);
            for (int i = 0; i < parts.Length - 1; i++)
            {
                target = Find(target, parts[i], path) is JsonObject inner ? inner
                    : throw new ArgumentException($"--set {assignment}: {parts[i]} has no settings inside it.");
                type = Setting(type, parts[i])?.PropertyType;
            }
            // A setting left out of the JSON at its default (JsonIgnore WhenWritingDefault, so that adding it changed no
            // configuration's hash) is still one the type declares.
            string name = target.FirstOrDefault(p => p.Key.Equals(parts[^1], StringComparison.OrdinalIgnoreCase)).Key
                ?? (Setting(type, parts[^1]) ?? throw Missing(target, parts[^1], path)).Name;
            target[name] = Parse(text);
        }
        try
        {
            return root.Deserialize<T>(RunFolder.Json) ?? throw new ArgumentException("--set left no configuration.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"--set {string.Join(' ', list)}: a value does not fit its setting ({e.Message}).", e);
        }
    }

    static JsonNode? Find(JsonObject target, string name, string path)
    {
        foreach (var (key, value) in target)
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase)) return value;
        throw Missing(target, name, path);
    }

    static ArgumentException Missing(JsonObject target, string name, string path) =>
        new($"--set {path}: no setting named {name}; the settings here are: {string.Join(", ", target.Select(p => p.Key))}.");

    /// <summary>The public settable property <paramref name="name"/> (any case) of <paramref name="type"/>, or null.</summary>
    static System.Reflection.PropertyInfo? Setting(Type? type, string name) =>
        type?.GetProperties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && p.CanWrite &&
            System.Reflection.CustomAttributeExtensions.GetCustomAttribute<JsonIgnoreAttribute>(p) is not { Condition: JsonIgnoreCondition.Always });

    static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);   // plain text, e.g. mlp2x_gelu
        }
    }
}
