// Package gorgonia runs gopm's graphs on gorgonia (gorgonia.org/gorgonia v0.9.18), Go's
// Theano: an existing engine with its own expression graph, tape machine and symbolic
// differentiation. It shows that gopm's backend seam holds for an engine gopm did not write,
// checks gopm's kernels and gradients independently, and is the path to a GPU (see
// docs/gorgonia-gpu.md).
//
// It registers two backends, selected like any other (backend.Use, pm.Backend, PM_BACKEND, the
// config file's "backend"):
//
//   - "gorgonia" translates the rewritten function graph, including the gradient graph that
//     tensor.Grad built, into a gorgonia expression graph and runs it on gorgonia's TapeMachine;
//   - "gorgonia-ad" translates only the log-density and differentiates it with gorgonia.Grad
//     (through backend.CompileGradient, which pm.Model.Compile uses), so that two independent
//     differentiators can be compared on every model. Graphs compiled without a gradient run
//     as on "gorgonia".
//
// A graph is translated for the concrete shapes of its inputs, at compile time when they are
// static (as a model's are), else at the first call, and again when they change. Constants
// (data) are bound without copying; inputs and shared variables are copied into buffers bound
// once to the graph's input nodes; the tape machine keeps its buffers between calls.
//
// Translation follows gopm's numerics, so values agree with vm's to rounding: NumPy
// broadcasting, fused likelihoods expanded into their formulas (a Poisson's log y! is computed
// from the data, since gorgonia has no log-gamma), softplus and sigmoid in gopm's two-branch
// forms (gorgonia's own Softplus returns x above 16 and its Sigmoid 1 above 19, errors up to
// 1e-7), sign and |x| with derivative 0 at 0, a switch as a select (c·a + (1−c)·b would turn
// an infinite branch not taken into NaN), cumulative sums as products with triangular matrices,
// and AR(1) recurrences unrolled one step per node.
//
// Some of it is gorgonia ops of this package (implementing gorgonia's Op and SDOp interfaces),
// because of what gorgonia v0.9.18 does: its Slice returns views and its Reshape shallow
// clones, while the tape machine's register allocator, unaware of the aliasing, lets later ops
// overwrite them in place (an unrolled recurrence of 500 steps computed wrong values that way);
// its Concat differentiates into such views; ByIndices' gradient is wrong for vectors; Floor
// and Ceil cannot be differentiated at all. So indexing, reshaping, broadcasting and
// concatenation are copying gather, scatter and concat ops, select is a where op, and floor,
// ceil and sign are step ops with a zero derivative. Arithmetic, transcendental functions,
// comparisons, reductions and matrix products are gorgonia's own.
//
// # Accuracy
//
// The cross-backend suites of pm/tensor and pm/dist run on both backends: every covered op's
// value and gradient agree with vm's within 1e-12 relative (absolute below 1) on random
// inputs, no op needing a wider tolerance; every benchmark-suite model's log-density and
// gradient agree with vm's within 1e-10 relative at 20 random points in both modes (the
// largest differences seen are 2e-13, from summation order in coal mining's log-sum-exp).
//
// # Not covered
//
// An op without a translation is a compile-time *UncoveredError naming the op, the variable it
// computes and the backends that can run it; there is no silent fallback.
//
//	| op                                            | why                                                      |
//	|-----------------------------------------------|----------------------------------------------------------|
//	| gammaln, psi, tri_gamma                        | gorgonia has no gamma-family functions (Beta, Gamma,     |
//	|                                               | StudentT, Binomial... with parameters that are variables) |
//	| erf, erfc                                     | gorgonia has no error function (SkewNormal)              |
//	| round (half to even), log1mexp                 | not translated                                           |
//	| prod, argmax, argmin, cumprod                  | gorgonia has no product or arg reductions                |
//	| slice and inc/set_subtensor with step ≠ 1      | only unit steps are translated                           |
//	| mask, inc_mask, set_mask; set_take             | boolean masks and set-at-positions are not translated    |
//	| take, inc_take with computed positions         | positions must be data                                   |
//	| poisson_log_lpmf with computed counts          | log y! needs log-gamma                                   |
//	| repeat, repeat_sum, batch_matmul               | not translated                                           |
//	| cholesky, solve_triangular, solve, logdet,     | gorgonia has no decompositions or solvers (MvNormal,     |
//	| matrix_inverse, diag, extract_diag, tril, triu | LKJCorr, LKJCholeskyCov, GPs)                            |
//	| scan                                          | inner graphs are not translated (Recurrence is)          |
//	| random_*, mv random ops                       | draws come from gopm's streams                           |
//	| pm/dist's ops: arctan, log_i0, i1_over_i0,     | no gorgonia counterpart (VonMises, ...)                  |
//	| ndtri, gammainc, gammaincc; black boxes        |                                                          |
//
// Cumulative sums are translated along the axes of vectors and matrices only, broadcasting up to
// any rank.
package gorgonia
