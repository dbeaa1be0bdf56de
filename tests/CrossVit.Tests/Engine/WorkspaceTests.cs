using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Threading;
using Xunit;

namespace CrossVit.Tests.Engine;

public class WorkspaceTests
{
    [Fact]
    public unsafe void BuffersStartOn64ByteBoundariesAndDoNotOverlap()
    {
        var workspace = new Workspace();
        int[] lengths = [1, 17, 401 * 128, 3, 197 * 256 + 5, 64];
        for (var pass = 0; pass < 2; pass++)   // the second pass runs in the consolidated block
        {
            int mark = workspace.Mark();
            long previousEnd = 0;
            foreach (var length in lengths)
            {
                var buffer = workspace.Take(length);
                long start = (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
                Assert.Equal(length, buffer.Length);
                Assert.True(start % 64 == 0, $"pass {pass}: a buffer of {length} floats starts at {start % 64} bytes past a 64-byte boundary");
                Assert.True(pass == 0 || start >= previousEnd, $"pass {pass}: a buffer of {length} floats overlaps the one before");
                previousEnd = start + (length * sizeof(float));
            }
            workspace.Release(mark);
        }
        Assert.True(workspace.Capacity > 0, "after a full release the workspace is one block");
    }
}
