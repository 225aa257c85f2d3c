// Package tensor is gopm's symbolic layer: typed tensor variables, operations on them that build
// a graph instead of computing, reverse-mode gradients of those graphs, and the rewrites that
// make them fast and numerically stable before a backend (package backend) compiles them into
// callable functions. It plays the part Theano and PyTensor play for PyMC: user code, often
// interpreted, describes a model once, and compiled Go evaluates it many times.
//
// # Overview
//
// Variables have a dtype (Float64, Int64 or Bool) and a shape: Scalar, Vector, Matrix, Tensor3
// and NewVar make input variables (Theano's dscalar, dvector, ...; IScalar and IVector for
// integers), Const and As turn Go values (float64, int, slices, gonum matrices) into constants,
// and Shared makes variables whose value lives between calls. Operations are package functions
// taking any (a *Tensor or a Go value) — Add, Mul, Exp, Log1p, Sigmoid, Switch, Sum, Dot, ... —
// and methods on *Tensor for chains: x.Mul(w).Add(b).Sum(). Generic functions are avoided on
// purpose, because the yaegi interpreter that runs gopm notebooks does not keep them.
//
// A graph does nothing until it is compiled: backend.Compile(inputs, outputs, options) returns a
// Function, with inputs that may have defaults and names (backend.In, backend.Kw) and updates of
// shared variables applied after each call (backend.Updates). Compilation first calls Rewrite,
// which folds constants, merges common subexpressions and replaces unstable expressions by
// stable ones: log(1+x) becomes log1p(x), log(sigmoid(x)) log_sigmoid(x), log(1−exp(x))
// log1mexp(x), log(sum(exp(x))) logsumexp(x), exp(x)−1 expm1(x), and x·1, x+0, −(−x) lose their
// redundant operation (rules.go lists them all). PP prints an expression with the fewest
// parentheses; DOT exports a graph for Graphviz.
//
// # Shapes and broadcasting
//
// Elementwise operations broadcast as NumPy does: shapes are aligned on the right and a
// dimension of length 1 stretches to match. A dimension may be Unknown (known only when the
// compiled function runs); only dimensions statically equal to 1 broadcast, as in Theano, so an
// Unknown dimension must equal the one it meets, and gradients know statically which axes to
// sum over. Every Array stores its elements as float64 in row-major order whatever its dtype:
// integers are exact up to 2⁵³ and booleans are 0 or 1.
//
// # Errors
//
// Building a wrong graph — shapes that do not broadcast or align, a dtype an operation does not
// accept — panics with a *Error at the call that builds it, naming the operation, the shapes or
// dtypes and the expression (expression chains cannot return errors); Catch turns such a panic
// into an error value. Everything that does work returns errors: compiling, calling a function
// with values of the wrong shape, an index out of range at run time. Messages start with
// "tensor:".
//
// # Gradients
//
// Grad(cost, wrt...) returns the gradient of a scalar cost as new graph nodes, so gradients of
// gradients work and the gradient graph is rewritten and compiled like any other. Integer and
// boolean inputs have no gradient. VerifyGrad checks any graph's gradient against finite
// differences, as Theano's verify_grad does; use it for the ops you write (an op implements the
// Op interface: Infer, Kernel and Grad).
//
// # Backends
//
// A backend turns a rewritten FunctionGraph into a Program. Two ship with gopm: "vm", the default,
// which runs prepared kernels over preallocated buffers and allocates nothing per call, and
// "debug", which runs the same kernels op by op and stops at the first op that turns finite
// inputs into a NaN, naming it and the expression. The backend is chosen per call
// (backend.Use), by the PM_BACKEND environment variable or by a config file. Both share every
// kernel, whose floating-point evaluation order is fixed, so they agree bit for bit.
//
// The examples follow Theano's tutorial: adding scalars and matrices, the logistic function,
// several outputs, default and named inputs, a shared accumulator, a logistic regression fitted
// by gradient descent (Example_bioassay), gradients (ExampleGrad), random streams
// (Example_randomStreams), loops (ExampleScan_power, ExampleScan_polynomial), printing
// (ExamplePP) and the rewrites at work (Example_rewrites).
package tensor
