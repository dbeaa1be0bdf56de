using System.CommandLine;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit init</c>: a seeded random checkpoint that carries its config.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Preset name, e.g. crossvit_9_dagger_240." };
        var config = new Option<string?>("--config") { Description = "Config JSON instead of a preset." };
        var seed = Options.Int("--seed", "Random seed.", int.MinValue, int.MaxValue, defaultValue: 0);
        var dtype = new Option<string>("--dtype") { Description = "F32, F16 or BF16.", DefaultValueFactory = _ => "F32" };
        var output = new Option<string>("--output") { Description = "Where to write the .safetensors file.", Required = true };
        var command = new Command("init", "Write seeded random weights for a model (with its config in the metadata).")
        {
            model, config, seed, dtype, output,
        };
        command.SetAction(r =>
        {
            string path = FileArguments.RequireOutput(r.GetValue(output)!, "--output");
            var c = (r.GetValue(model), r.GetValue(config)) switch
            {
                ({ } name, null) => Presets.Get(name),
                (null, { } file) => CrossVitConfigJson.Load(FileArguments.RequireInput(file, "config")),
                _ => throw new CliException("Give exactly one of --model and --config."),
            };
            var type = r.GetValue(dtype) switch
            {
                "F32" or "f32" => DType.F32,
                "F16" or "f16" => DType.F16,
                "BF16" or "bf16" => DType.BF16,
                var other => throw new CliException($"--dtype {other} is not supported; expected F32, F16 or BF16."),
            };
            RandomWeights.Create(c, r.GetValue(seed), type).Save(path);
            Console.WriteLine($"wrote {path}: {CheckpointLayout.ParameterCount(c):N0} parameters");
            return 0;
        });
        return command;
    }
}
