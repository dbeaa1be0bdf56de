using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Kernels;

/// <summary>Branch <paramref name="branch"/>'s part of a stretch of the pass, on the kernels and workspace it is given.</summary>
internal delegate void BranchForward(int branch, ParallelKernels k, PassTensors t, Workspace ws);
