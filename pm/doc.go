// Package pm is gopm's modeling API: PyMC's workflow in Go.
//
// A model is a set of named random variables whose distributions take tensors as parameters.
// Building it from Go (or from interpreted Go in a notebook) makes a symbolic graph; Compile,
// Sample and FindMAP turn it into a compiled log-density with its gradient on the selected
// backend and run the heavy work in compiled code.
//
//	m := pm.NewModel()
//	alpha := m.Var("alpha", pm.Normal(0, 10))
//	beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
//	sigma := m.Var("sigma", pm.HalfNormal(1))
//	mu := alpha.Add(beta.At(0).Mul(X1)).Add(beta.At(1).Mul(X2))
//	m.Observe("y", pm.Normal(mu, sigma), Y)
//	trace, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(1))
//	summary, err := pm.Summary(trace)
//
// # Variables
//
// Var adds a free variable, Observe an observed one, Deterministic records a function of
// variables in the trace, Potential adds a log-density term, Data a container whose values
// SetData replaces (for out-of-sample prediction), and BlackBox a log-density written as plain
// Go functions. Free variables with a constrained support are sampled in unconstrained space
// through a transform (log for positive variables, log-odds and interval for bounded ones,
// stick-breaking for simplices); their value variables are named PyMC style ("sigma_log__").
//
// # Model criticism and comparison
//
// ComputeLogLikelihood (or the StoreLogLikelihood sample option) stores the pointwise
// log-likelihood in the trace; LOO (Pareto-smoothed importance sampling leave-one-out, with the
// Pareto k diagnostic), WAIC, Compare (ArviZ's table with stacking or pseudo-BMA weights) and
// LOOPIT read it, with the numbers of R's loo package:
//
//	err := pm.ComputeLogLikelihood(trace, m)
//	loo, err := pm.LOO(trace)                     // elpd_loo, p_loo, looic, Pareto k
//	cmp, err := pm.Compare(map[string]*pm.Trace{"pooled": t1, "hierarchical": t2})
//
// # Errors
//
// Methods that build the model and return tensors panic with *Error naming the variable and
// the mistake (the REPL and the kernel show it at the user's line; Catch turns it into an error
// value in plain Go). Methods that do work (Compile, Sample, FindMAP, predictive sampling)
// return errors.
//
// # Distributions and tensor functions
//
// The distribution constructors of package dist and the tensor functions of package tensor
// are re-exported here (pm.Normal, pm.Exp, pm.Dot, ...), so that a model needs only pm.
package pm

//go:generate go run ./internal/genapi
