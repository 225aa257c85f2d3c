// Package step holds gopm's samplers: NUTS (Stan's multinomial variant with
// windowed or gradient-informed warm-up), HMC, Metropolis, Slice, the
// discrete Gibbs samplers, DEMetropolisZ, CompoundStep with PyMC's automatic
// assignment, and a multi-chain runner with seeding, progress reports and
// cancellation.
//
// Everything is written against two small interfaces, LogDensity (Dim,
// Logp) and GradDensity (adds LogpGrad into a caller's buffer), with no
// dependency on the tensor layer: a compiled model and a plain Go function
// (through Func) run through the same code. Non-finite log-densities are
// rejections (divergences for HMC and NUTS), never panics.
//
// Each step method updates a block of coordinates of the full point and
// evaluates the full density, so a CompoundStep can give NUTS the continuous
// coordinates and a Gibbs or Metropolis sampler the discrete ones. Run
// samples several chains in parallel goroutines; chain c's random source
// depends only on (Seed, c), so the draws do not depend on Cores. The
// sampling loop allocates nothing after warm-up.
package step
