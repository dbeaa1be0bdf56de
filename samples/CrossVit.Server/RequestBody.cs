using CrossVit.Hosting;

namespace CrossVit.Server;

/// <summary>Reads request bodies. Kestrel's MaxRequestBodySize caps every read (413), chunked bodies included.</summary>
internal static class RequestBody
{
    public static bool IsMultipart(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The whole body, at most <paramref name="maxBytes"/>. With a Content-Length the buffer is allocated once at that
    /// size (no growth, no final copy); a chunked body grows its buffer as data arrives.
    /// </summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, string expected, CancellationToken cancel)
    {
        byte[] bytes;
        if (request.ContentLength is { } length)
        {
            // Checked here because the buffer is allocated before Kestrel's own check, which runs on the first read.
            if (length > maxBytes)
                throw new BadHttpRequestException($"The request body is {length} bytes; at most {maxBytes} are accepted ({CrossVitOptions.Section}:MaxBodyBytes).", StatusCodes.Status413PayloadTooLarge);
            bytes = new byte[length];
            await request.Body.ReadExactlyAsync(bytes, cancel);
        }
        else
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancel);
            bytes = buffer.ToArray();
        }
        return bytes.Length > 0 ? bytes : throw new ArgumentException($"The request body is empty; expected {expected}.");
    }

    /// <summary>The file parts of a multipart/form-data body, in order; other fields are ignored.</summary>
    public static async Task<List<ImageInput>> ReadFilesAsync(HttpRequest request, int maxFiles, CancellationToken cancel)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancel);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancel.IsCancellationRequested)
        {
            // The multipart reader reports a body that ends inside a part this way, indistinguishable by type from
            // a failure to buffer a part on disk; a truncated upload is by far the likelier cause. Kestrel's own
            // answers (413 for a body over the cap) are IOExceptions too, and pass through with their status.
            throw new InvalidDataException($"The multipart body is malformed: {e.Message}", e);
        }
        if (form.Files.Count == 0)
            throw new ArgumentException("The multipart body has no file parts; expected one or more images, each a part with a filename.");
        if (form.Files.Count > maxFiles)
            throw new ArgumentException($"The multipart body has {form.Files.Count} files; expected at most {maxFiles} ({CrossVitOptions.Section}:MaxBatch).");
        var images = new List<ImageInput>(form.Files.Count);
        foreach (var file in form.Files)
        {
            if (file.Length == 0) throw new ArgumentException($"The file part '{file.FileName}' is empty; expected image bytes.");
            var bytes = new byte[file.Length];
            await using var stream = file.OpenReadStream();
            await stream.ReadExactlyAsync(bytes, cancel);
            images.Add(ImageInput.FromEncoded(bytes, file.FileName));
        }
        return images;
    }
}
