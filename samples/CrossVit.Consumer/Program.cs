using CrossVit.Imaging;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;

if (args.Length != 1)
{
    Console.Error.WriteLine($"Expected one argument, an image path; got {args.Length}. Usage: CrossVit.Consumer IMAGE");
    return 2;
}

var config = Presets.Get("crossvit_9_dagger_240");
// Seeded random weights keep this self-contained; an application loads trained ones with
// CrossVitModel.Load(config, "model.safetensors"), and its top-5 then means something.
using var model = RandomWeights.Load(config, seed: 0);
int size = config.ImgSize[0];
var input = Preprocess.TimmEval(ImageDecoder.Load(args[0]), size, config.CropPct, Normalization.ImageNet);
var logits = model.Run(input, batch: 1, size, size);
Console.WriteLine($"{args[0]} (isa {model.Isa})");
var top = Classification.Top(logits, 5);
for (int rank = 0; rank < top.Length; rank++)
    Console.WriteLine($"  {rank + 1}. {top[rank].Label} ({top[rank].Index}) {top[rank].Probability:F4}");
return 0;
