using System.Runtime.CompilerServices;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model.Layers;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model;

/// <summary>
/// timm's <c>CrossVit</c> network with its weights bound and packed for one <see cref="KernelSet"/>.
/// Activations of all branches live in one buffer, branch after branch, each [batch, 1 + patches_i, dim_i].
/// </summary>
internal sealed class CrossVitNet : IForwardPass
{
    private readonly CrossVitConfig _config;
    private readonly PatchEmbed[] _patchEmbed;
    private readonly BranchCost[] _embedCosts;  // each branch's patch embedding, for the branch scheduler
    private readonly BranchForward _embed;
    private readonly float[][] _clsToken;    // [dim_i]
    private readonly float[][] _posEmbed;    // [1 + patches_i, dim_i]
    private readonly MultiScaleBlock[] _blocks;
    private readonly LayerNorm[] _norm;
    private readonly Linear[] _head;         // empty when num_classes is 0
    private readonly TokenLayout _layout;
    private readonly OpSite[] _resize, _channelsLast;   // each branch's scale_image, for a profile

    /// <summary>The network of <paramref name="config"/>, its tensors taken from <paramref name="w"/> in timm's registration order.</summary>
    public CrossVitNet(CrossVitConfig config, IWeightSource w)
    {
        _config = config;
        int n = config.Branches;
        var root = WeightPath.Root;
        var scales = Enumerable.Range(0, n)
            .Select(b => (float)(config.QkScale ?? Math.Pow(config.EmbedDim[b] / config.NumHeads[b], -0.5))).ToArray();
        _layout = new TokenLayout(config);
        _posEmbed = new float[n][];
        _clsToken = new float[n][];
        for (int b = 0; b < n; b++)
        {
            _posEmbed[b] = w.Read(root.Name($"pos_embed_{b}"), 1, _layout.Tokens(b), config.EmbedDim[b]);
            _clsToken[b] = w.Read(root.Name($"cls_token_{b}"), 1, 1, config.EmbedDim[b]);
        }
        _patchEmbed = Enumerable.Range(0, n).Select(b => PatchEmbed.Load(w, root.Pp("patch_embed").Pp(b), config, b)).ToArray();
        _embedCosts = Enumerable.Range(0, n).Select(b => _patchEmbed[b].Cost(config.ImgSize[b])).ToArray();
        _embed = Embed;   // one delegate for the model's lifetime, so a pass allocates none
        _resize = Enumerable.Range(0, n).Select(b => new OpSite(OpKind.BranchResize, root.Pp("patch_embed").Pp(b).Name("resize"))).ToArray();
        _channelsLast = Enumerable.Range(0, n).Select(b => new OpSite(OpKind.BranchResize, root.Pp("patch_embed").Pp(b).Name("channels_last"))).ToArray();
        _blocks = Enumerable.Range(0, config.Depth.Count)
            .Select(s => MultiScaleBlock.Load(w, root.Pp("blocks").Pp(s), config, s, scales, _layout)).ToArray();
        _norm = Enumerable.Range(0, n).Select(b => LayerNorm.Load(w, root.Pp("norm").Pp(b), config.EmbedDim[b], config.NormEps)).ToArray();
        _head = config.NumClasses > 0
            ? Enumerable.Range(0, n).Select(b => Linear.Load(w, root.Pp("head").Pp(b), config.EmbedDim[b], config.NumClasses, OpKind.Head)).ToArray()
            : [];
    }

    /// <summary>The network of <paramref name="config"/> without weights: its shapes, names and costs only; it cannot run.</summary>
    public static CrossVitNet Unbound(CrossVitConfig config) => new(config, new LayoutRecorder());

    /// <summary>Multiply-adds of one image, as each layer declares its own.</summary>
    public long MultiplyAdds() =>
        Enumerable.Range(0, _config.Branches).Sum(b => _patchEmbed[b].MultiplyAdds(_config.ImgSize[b]))
        + _blocks.Sum(stage => stage.MultiplyAdds())
        + _head.Sum(head => head.MultiplyAdds(1));

    /// <summary>input: [batch, in_channels, height, width] → output: [batch, OutputSize] (logits, or features when num_classes is 0).</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output, Workspace ws)
    {
        int n = _config.Branches, mark = ws.Mark();
        var tokens = ws.Take(batch * _layout.FloatsPerImage);
        var t = new PassTensors(tokens, input, batch, height, width);
        k.Branches(_embedCosts, _embed, t, ws);
        Observe(k, -1, tokens, batch);
        for (int s = 0; s < _blocks.Length; s++)
        {
            _blocks[s].Forward(k, t, ws);
            Observe(k, s, tokens, batch);
        }
        Head(k, tokens, batch, output, ws);
        ws.Release(mark);
    }

    /// <summary>When set, sees every branch's tokens after the patch embedding and after each stage; unset, each point costs a null check.</summary>
    public TokenObserver? Observer { get; set; }

    private void Observe(ParallelKernels k, int stage, Span<float> tokens, int batch)
    {
        if (Observer is not { } observer || k.Planning) return;
        for (int b = 0; b < _config.Branches; b++) observer(stage, b, _layout.Branch(tokens, batch, b));
    }

    /// <summary>Branch i's tokens [batch, 1 + patches, dim]: <c>[cls_token; patch_embed(scale_image(x))] + pos_embed</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Embed(int i, ParallelKernels k, PassTensors t, Workspace ws)
    {
        var x = _layout.Branch(t.Tokens, t.Batch, i);
        int height = t.Height, width = t.Width, channels = _config.InChannels;
        int size = _config.ImgSize[i], dim = _config.EmbedDim[i], tokens = _layout.Tokens(i), mark = ws.Mark();
        var image = ws.Take(size * size * channels);
        var resized = ws.Take(channels * size * size);   // taken even when unused, so the arena's plan fits every input size
        var scratchA = ws.Take(_patchEmbed[i].ScratchSize(size));
        var scratchB = ws.Take(_patchEmbed[i].ScratchSize(size));
        for (int b = 0; b < t.Batch; b++)
        {
            var item = t.Images.Slice(b * channels * height * width, channels * height * width);
            ScaleImage(k, i, item, height, width, size, resized, image);
            var xb = x.Slice(b * tokens * dim, tokens * dim);
            _posEmbed[i].CopyTo(xb);
            for (int c = 0; c < dim; c++) xb[c] = _clsToken[i][c] + xb[c];
            _patchEmbed[i].Forward(k, image, size, xb[dim..], scratchA, scratchB);   // added onto the position embedding
        }
        ws.Release(mark);
    }

    private bool NeedsResize(int height, int width, int size) =>
        (height != size || width != size) && !(_config.CropScale && size <= height && size <= width);

    /// <summary>
    /// timm's <c>scale_image</c> for one item [channels, height, width], written channels-last [size, size, channels]:
    /// as is, center-cropped (crop_scale), or resized (bicubic A = -0.75 or bilinear, align_corners=False).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScaleImage(ParallelKernels k, int branch, ReadOnlySpan<float> item, int height, int width, int size, Span<float> resized, Span<float> image)
    {
        int channels = _config.InChannels, top = 0, left = 0, srcH = height, srcW = width;
        if (NeedsResize(height, width, size))
        {
            var mode = _config.Interpolation == Interpolation.Bilinear ? ResizeMode.Bilinear : ResizeMode.Bicubic;
            k.Resize(item, channels, height, width, resized, size, size, mode, _resize[branch]);
            item = resized;
            srcH = srcW = size;
        }
        else
        {
            // Python's round (half to even), as timm's int(round((H - size) / 2.)).
            top = (int)Math.Round((height - size) / 2.0, MidpointRounding.ToEven);
            left = (int)Math.Round((width - size) / 2.0, MidpointRounding.ToEven);
        }
        k.ChannelsLast(item, channels, srcH, srcW, top, left, size, image, _channelsLast[branch]);
    }

    /// <summary>Final norm, pooling (CLS, or mean of the patch tokens), and the mean of the branch heads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Head(ParallelKernels k, Span<float> tokens, int batch, Span<float> output, Workspace ws)
    {
        int n = _config.Branches, featureOffset = 0, mark = ws.Mark();
        if (_head.Length > 0) output[..(batch * _config.NumClasses)].Clear();
        for (int i = 0; i < n; i++)
        {
            int dim = _config.EmbedDim[i], count = _layout.Tokens(i);
            var x = _layout.Branch(tokens, batch, i);
            var pooled = ws.Take(batch * dim);
            for (int b = 0; b < batch; b++)
            {
                var xb = x.Slice(b * count * dim, count * dim);
                var p = pooled.Slice(b * dim, dim);
                if (_config.GlobalPool == GlobalPool.Token)
                {
                    _norm[i].Forward(k, xb, 1, p);
                    continue;
                }
                _norm[i].Forward(k, xb, count, xb);
                p.Clear();
                for (int t = 1; t < count; t++)
                    for (int c = 0; c < dim; c++) p[c] += xb[t * dim + c];
                for (int c = 0; c < dim; c++) p[c] /= count - 1;
            }
            if (_head.Length > 0)
            {
                _head[i].Forward(k, pooled, batch, output, Epilogue.Accumulate);
                continue;
            }
            int total = _config.OutputSize;
            for (int b = 0; b < batch; b++) pooled.Slice(b * dim, dim).CopyTo(output.Slice(b * total + featureOffset, dim));
            featureOffset += dim;
        }
        if (_head.Length > 0)
            foreach (ref float v in output[..(batch * _config.NumClasses)]) v /= n;
        ws.Release(mark);
    }
}
