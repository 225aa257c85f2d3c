// Package dist holds gopm's probability distributions and the transforms that map their
// supports to unconstrained space.
//
// A distribution is built by a constructor such as Normal(mu, sigma) whose parameters are
// float64 values, slices, gonum matrices or *tensor.Tensor expressions (other random variables,
// data), broadcasting NumPy style. It gives its log-density as a tensor graph (Logp), so that
// it runs on every backend and has gradients in the value and in every parameter; random draws
// as a graph over a tensor.RandomStream (Random); its support, default transform (PyMC's
// choices: log for positive values, log-odds for the unit interval, interval for bounded ones,
// stick-breaking for the simplex, none for discrete values) and a starting point
// (InitialValue). Constant parameters are checked when the distribution is built and a problem
// is reported by Err, e.g. "Normal: sigma is -1, but must be positive"; parameters that are not
// constants make the log-density -Inf where they are invalid. Values outside the support give
// -Inf, never NaN.
//
// The model layer (package pm) names variables, applies the transforms and adds their
// log-Jacobians; this package knows nothing of models.
package dist
