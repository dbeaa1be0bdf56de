using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Weights;

public class AtomicFileTests
{
    [Fact]
    public void AFailureWhileWritingLeavesThePreviousFileAndNoTemporaryOne()
    {
        using var dir = new Cli.CliRunner.TempDir();
        File.WriteAllText(dir["y.npy"], "previous");
        Assert.Throws<InvalidDataException>(void () =>
        {
            using var file = AtomicFile.Create(dir["y.npy"]);
            file.Stream.Write(new byte[4096]);
            throw new InvalidDataException("failed half-way");
        });
        Assert.Equal("previous", File.ReadAllText(dir["y.npy"]));
        Assert.Equal([dir["y.npy"]], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CommitReplacesTheFileWhole()
    {
        using var dir = new Cli.CliRunner.TempDir();
        File.WriteAllText(dir["y.npy"], "previous");
        Npy.Write(dir["y.npy"], [2, 2], [1f, 2f, 3f, 4f]);
        Assert.Equal([1f, 2f, 3f, 4f], Npy.Read(dir["y.npy"]).ToFloat32());
        Assert.Equal([dir["y.npy"]], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void ADirectoryOrAMissingFolderIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new Cli.CliRunner.TempDir();
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => AtomicFile.Create(dir.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<IOException>(() => AtomicFile.Create(dir["no/such/file"])).Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
