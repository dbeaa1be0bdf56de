using System.CommandLine;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit run</c>: a float32 NCHW .npy batch in, logits (or features) .npy out.</summary>
internal static class RunCommand
{
    /// <summary>Largest input file read: 1 GiB holds, say, 1,000 images of 3 × 288 × 288 floats.</summary>
    private const long MaxInputBytes = 1L << 30;

    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "Checkpoint (.safetensors).", Required = true };
        var model = new Option<string?>("--model") { Description = "Preset name, e.g. crossvit_9_dagger_240." };
        var config = new Option<string?>("--config") { Description = "Config JSON (the runtime's schema or timm's Hugging Face config.json)." };
        var input = new Option<string>("--input") { Description = "float32 NCHW input batch (.npy).", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write [B, num_classes] float32 (.npy).", Required = true };
        var threads = Options.Threads();
        var command = new Command("run", "Run the model on a .npy batch and write the logits (features when num_classes is 0).")
        {
            weights, model, config, input, output, threads,
        };
        command.SetAction(r =>
        {
            string inputPath = FileArguments.RequireInput(r.GetValue(input)!, "input");
            string outputPath = FileArguments.RequireOutput(r.GetValue(output)!, "--output");
            long bytes = new FileInfo(inputPath).Length;
            if (bytes > MaxInputBytes)
                throw new CliException($"The input {inputPath} is {bytes} bytes; at most {MaxInputBytes} are read. Split the batch into several files.");
            var x = Npy.Read(inputPath);
            if (x.Shape.Count != 4 || x.Shape.Any(d => d < 1))
                throw new CliException($"Input {inputPath} has shape ({string.Join(", ", x.Shape)}); expected float32 NCHW (batch, channels, height, width), none of them 0.");
            if (x.DType != DType.F32)
                throw new CliException($"Input {inputPath} has dtype {x.Descr}; expected float32 ('<f4').");
            using var m = new ModelSource(r.GetValue(weights), r.GetValue(model), r.GetValue(config))
                .Load(new ModelOptions { Threads = r.GetValue(threads), MaxBatch = x.Shape[0] });
            if (x.Shape[1] != m.Config.InChannels)
                throw new CliException($"Input {inputPath} has shape ({string.Join(", ", x.Shape)}); expected float32 NCHW (batch, {m.Config.InChannels}, height, width).");
            var y = m.Run(x.ToFloat32(), x.Shape[0], x.Shape[2], x.Shape[3]);
            Npy.Write(outputPath, [x.Shape[0], m.Config.OutputSize], y);
            return 0;
        });
        return command;
    }
}
