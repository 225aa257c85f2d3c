// Package diag computes MCMC convergence diagnostics and ArviZ's summary
// table from plain slices of draws, laid out chains[c][d] (chain c, draw d)
// for one scalar quantity, or draws[v][c][d] for a table of variables. It
// knows nothing of models or traces, so any sampler's output can be checked.
//
// The diagnostics are those of Vehtari, Gelman, Simpson, Carpenter and
// Bürkner (2021), "Rank-normalization, folding, and localization: an
// improved R-hat for assessing convergence of MCMC", Bayesian Analysis
// 16(2): bulk and tail effective sample size (ESSBulk, ESSTail), the
// rank-normalized split R-hat (RHat), and Monte Carlo standard errors of the
// mean and sd (MCSEMean, MCSESD). Intervals are the highest-density interval
// (HDI, ArviZ's rule) and the equal-tailed interval (ETI) from R's type-7
// Quantile. EBFMI checks a Hamiltonian sampler's energy, and Warnings turns
// all of these into the messages PyMC and Stan print after sampling.
//
// # Conventions
//
// The numbers agree with the R package posterior 1.4.0 (and so with ArviZ)
// to about 1e-13 relative; the tests check this against the draws and values
// in the project's oracles. Chains are split in halves (the middle draw of an
// odd-length chain is dropped); ranks are pooled over all draws, ties get
// their average rank, and normal scores use Blom's offset (r−3/8)/(S+1/4).
// rstan 2.21 uses (r−1/2)/S; ESSBulkOffset and RHatOffset with RStanOffset
// reproduce its values. Autocovariances come from a zero-padded FFT and are
// exact for every chain length.
//
// # Undefined results
//
// The diagnostics return NaN, never panic, when they are undefined: no
// chains, chains of unequal lengths (Check says which), chains too short to
// split, a NaN or infinite draw, or draws that are all equal (a constant
// such as a correlation matrix's diagonal; posterior returns NA there too).
// Summarize returns an error for the structural cases only.
//
// A table for two variables, printed as text (Summary.HTML gives the same as
// an HTML table for Jupyter):
//
//	s, err := diag.Summarize([]string{"alpha", "beta"}, [][][]float64{alphaDraws, betaDraws})
//	if err != nil { ... }
//	fmt.Print(s)
//	for _, w := range diag.Warnings(s, diag.SamplerStats{Divergences: 3}) {
//		fmt.Println(w)
//	}
package diag
