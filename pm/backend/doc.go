// Package backend compiles gopm's symbolic graphs to callable programs on a selectable backend.
//
// Backends register by name, as database/sql drivers do, and are chosen in this order: a
// per-call option (Use), the PM_BACKEND environment variable, the "backend" field of the JSON
// config file ($XDG_CONFIG_HOME/gopm/config.json, else ~/.config/gopm/config.json), and finally
// "vm". An unknown name is an error listing the registered ones.
//
// Two backends ship with gopm: "vm" (package vm, the fast default) and "debug" (package debug,
// which checks every intermediate value). They share the graph rewrites and the numerical
// kernels of package tensor, so they return bit-for-bit identical results. Package
// pm/backend/gorgonia adds "gorgonia" and "gorgonia-ad", which run the same graphs on gorgonia's
// tape machine; import it for its side effect to select them.
//
// A backend with its own differentiation implements Differentiator: CompileGradient then hands
// it the cost rather than the gradient graph of tensor.Grad.
//
// Compile builds a Function, Theano's function: inputs with defaults and names (In, Kw),
// several outputs, and updates of shared variables applied after each call.
package backend
