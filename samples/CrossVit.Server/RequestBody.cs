using System.Globalization;

namespace CrossVit.Server;

/// <summary>Reads request bodies. Kestrel's MaxRequestBodySize caps every read (413), chunked bodies included.</summary>
internal static class RequestBody
{
    public static bool IsMultipart(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>The whole body. The buffer grows as data arrives, so a claimed Content-Length reserves nothing.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, string expected, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancel);
        return buffer.Length > 0 ? buffer.ToArray()
            : throw new ArgumentException($"The request body is empty; expected {expected}.");
    }

    /// <summary>The file parts of a multipart/form-data body, in order; other fields are ignored.</summary>
    public static async Task<List<Upload>> ReadFilesAsync(HttpRequest request, int maxFiles, CancellationToken cancel)
    {
        var form = await request.ReadFormAsync(cancel);
        if (form.Files.Count == 0)
            throw new ArgumentException("The multipart body has no file parts; expected one or more images, each a part with a filename.");
        if (form.Files.Count > maxFiles)
            throw new ArgumentException($"The multipart body has {form.Files.Count} files; expected at most {maxFiles} ({ServerOptions.Section}:MaxBatch).");
        var uploads = new List<Upload>(form.Files.Count);
        foreach (var file in form.Files)
        {
            if (file.Length == 0) throw new ArgumentException($"The file part '{file.FileName}' is empty; expected image bytes.");
            var bytes = new byte[file.Length];
            await using var stream = file.OpenReadStream();
            await stream.ReadExactlyAsync(bytes, cancel);
            uploads.Add(new Upload(file.FileName, bytes));
        }
        return uploads;
    }

    /// <summary>An integer query parameter in [<paramref name="min"/>, <paramref name="max"/>], or its default when absent.</summary>
    public static int QueryInt(HttpRequest request, string name, int fallback, int min, int max)
    {
        string? text = request.Query[name];
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value
            : throw new ArgumentException($"Query parameter {name}={text} is invalid; expected an integer from {min} to {max}.");
    }
}
