using TorchSharp;

namespace Workbench.Runtime;

/// <summary>
/// The device every tensor of the workbench is placed on: <c>cuda</c> when a GPU is usable, else <c>cpu</c>.
/// Override with the <c>WORKBENCH_DEVICE</c> environment variable (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) or
/// by setting <see cref="Current"/>.
/// </summary>
public static class ComputeDevice
{
    /// <summary>Environment variable that overrides the default device.</summary>
    public const string EnvironmentVariable = "WORKBENCH_DEVICE";
    static torch.Device? current;

    /// <summary>The device tensors go to, chosen on first use.</summary>
    public static torch.Device Current
    {
        get => current ??= Resolve(Environment.GetEnvironmentVariable(EnvironmentVariable));
        set => current = value;
    }

    /// <summary>Picks a device from a request (<c>null</c> or <c>auto</c>: CUDA when available, else CPU).</summary>
    public static torch.Device Resolve(string? request)
    {
        if (string.IsNullOrWhiteSpace(request) || request.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return CudaAvailable ? torch.CUDA : torch.CPU;
        string name = request.Trim().ToLowerInvariant();
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !CudaAvailable)
            throw new InvalidOperationException(
                $"{EnvironmentVariable}={request} asks for a GPU, but CUDA is not available in this build " +
                "(it uses TorchSharp-cpu; build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU).");
        return torch.device(name);
    }

    /// <summary>Whether a CUDA device can be used.</summary>
    public static bool CudaAvailable
    {
        get
        {
            try { return torch.cuda.is_available(); }
            catch (Exception) { return false; }
        }
    }
}
