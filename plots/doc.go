// Package plots draws the standard figures of a Bayesian workflow (trace,
// posterior, corner, pair, forest, energy, autocorrelation, posterior
// predictive, model comparison, Pareto k and LOO-PIT plots) in the style of
// ArviZ and corner.py, on gonum/plot.
//
// Model comparison figures read what pm computes instead: Compare a pm.Comparison, Khat a
// PSIS-LOO estimate (pm.LOO) and LOOPIT the values of pm.LOOPIT.
//
// Every other figure reads a Samples value: named variables with draws per chain,
// plus optional divergences, energies and observed data. FromMatrix builds one
// from a plain draws-by-columns matrix; a pm.Trace converts to it in a few
// lines. A constructor computes the statistics and returns a *Figure or an
// error naming the variable at fault (unknown name, no draws, only NaN,
// ragged chains). The Figure renders on demand: PNG() and SVG() make it show
// inline in Jupyter (the gophernotes PNGer and SVGer interfaces), and
// Save("file.png") or Save("file.svg") writes it from the REPL.
//
// # Options
//
// Options are plain functions, so interpreted code passes them directly:
// Vars selects variables or single components ("beta[2]"), HDIProb sets the
// interval mass (default 0.94), Combined pools chains, SplitComponents gives
// each component of a vector its own row, Size and DPI set the canvas, Colors
// replaces the colour cycle (matplotlib's tab10 by default; chain c always
// gets colour c), Reference and ROPE add reference values and regions.
//
// # Densities
//
// KDE is a Gaussian kernel density estimate with the improved Sheather-Jones
// bandwidth (Botev et al. 2010), falling back to Silverman's rule, and with
// reflecting boundaries. Figures reflect at the data's extremes, as ArviZ
// does, so the density of a positive variable never spills below zero, and
// use the mean of the ISJ and Silverman bandwidths (ArviZ's default), which
// stays smooth on autocorrelated MCMC draws. Discrete variables are drawn as
// histograms.
//
// # Readability
//
// Long names are shortened in the middle ("long_na…ame[3]"); a figure shows
// at most 40 rows or panels (12 dimensions for Corner and Pair, 200 rows for
// Forest) and says in its title what it left out.
package plots
