using System.CommandLine;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit inspect</c>: the tensors of a checkpoint, its parameter count and the preset it matches.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("weights") { Description = "Checkpoint (.safetensors)." };
        var command = new Command("inspect", "List a checkpoint's tensors, dtypes and parameters, and the preset it matches.") { path };
        command.SetAction(r =>
        {
            using var file = SafetensorsFile.Open(FileArguments.RequireInput(r.GetValue(path)!, "weights"));
            foreach (var t in file.Tensors)
                Console.WriteLine($"{t.Name,-48} {DTypes.ToSafetensorsName(t.DType),-5} [{string.Join(", ", t.Shape)}]");
            Console.WriteLine($"tensors: {file.Tensors.Count}");
            Console.WriteLine($"parameters: {file.Tensors.Sum(t => t.ElementCount):N0}");
            foreach (var (key, value) in file.Metadata.Where(m => m.Key != RandomWeights.ConfigMetadataKey))
                Console.WriteLine($"metadata {key}: {value}");
            var stored = RandomWeights.StoredConfig(file);
            Console.WriteLine($"config in metadata: {(stored is null ? "none" : Presets.Match(stored) ?? "custom")}");
            Console.WriteLine($"matches preset: {MatchingPreset(file) ?? "none"}");
            return 0;
        });
        return command;
    }

    /// <summary>The first preset (with the file's class count) the checkpoint binds to strictly.</summary>
    private static string? MatchingPreset(SafetensorsFile file)
    {
        int classes = file.Tensors.FirstOrDefault(t => t.Name.EndsWith("head.0.weight", StringComparison.Ordinal)) is { } head
            ? (int)head.Shape[0] : 0;
        return Presets.Names.FirstOrDefault(name => CrossVitModel.Matches(Presets.Get(name) with { NumClasses = classes }, file));
    }
}
