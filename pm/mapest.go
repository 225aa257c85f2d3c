package pm

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
	"gonum.org/v1/gonum/optimize"
)

// MAPOption configures FindMAP.
type MAPOption func(*mapConfig)

type mapConfig struct {
	start    Point
	maxIter  int
	gradTol  float64
	compile  []CompileOption
	useNoGrd bool
}

// MAPStart starts the optimizer at a point of value variables instead of the initial point.
func MAPStart(p Point) MAPOption { return func(c *mapConfig) { c.start = p } }

// MAPMaxIter limits the optimizer's major iterations (default 5000).
func MAPMaxIter(n int) MAPOption { return func(c *mapConfig) { c.maxIter = n } }

// MAPGradTol is the gradient-norm threshold for convergence (default 1e-8).
func MAPGradTol(t float64) MAPOption { return func(c *mapConfig) { c.gradTol = t } }

// MAPBackend selects the backend for the optimization.
func MAPBackend(name string) MAPOption {
	return func(c *mapConfig) { c.compile = append(c.compile, Backend(name)) }
}

// MAPResult is the maximum a posteriori estimate: the point in both the constrained space
// (by variable name, deterministics included) and the unconstrained one (by value name), the
// log-density there, and how the optimizer ended.
type MAPResult struct {
	Point      Point   // variables by name, constrained, plus deterministics
	Values     Point   // value variables by value name (unconstrained)
	Logp       float64 // the log-density at the optimum
	Converged  bool
	Status     string // the optimizer's status
	Iterations int
	Evals      int
	GradNorm   float64 // largest |∂logp/∂x| at the result (NaN without a gradient)
}

// String prints the estimate.
func (r *MAPResult) String() string {
	state := "converged"
	if !r.Converged {
		state = "NOT converged: " + r.Status
	}
	return fmt.Sprintf("MAP %s (logp %.6g, %s after %d iterations, max |gradient| %.2g)", r.Point, r.Logp, state, r.Iterations, r.GradNorm)
}

// FindMAP maximizes the model's log-density with L-BFGS on the gradient (gonum/optimize), or
// Nelder-Mead when the model has no gradient. It searches the unconstrained space but leaves
// the transforms' Jacobians out, as PyMC's find_MAP does, so the result is the posterior mode
// in the variables' own space. Discrete free
// variables stay at their starting values. It returns an error for a starting point whose
// log-density is not finite (naming the terms at fault) and when the optimizer fails;
// a run that stops at the iteration limit is returned with Converged false.
func FindMAP(m *Model, opts ...MAPOption) (*MAPResult, error) {
	c := mapConfig{maxIter: 5000, gradTol: 1e-8}
	for _, o := range opts {
		o(&c)
	}
	ld, err := m.Compile(append(c.compile, NoJacobian())...)
	if err != nil {
		return nil, err
	}
	start := c.start
	if start == nil {
		if start, err = m.InitialPoint(); err != nil {
			return nil, err
		}
	}
	if err := m.checkInitial("FindMAP", start); err != nil {
		return nil, err
	}
	x0, err := ld.Flatten(start)
	if err != nil {
		return nil, err
	}
	// Optimize the continuous coordinates only.
	var cont []int
	for _, b := range ld.Blocks() {
		if !b.Discrete {
			for i := 0; i < b.Size; i++ {
				cont = append(cont, b.Offset+i)
			}
		}
	}
	full := append([]float64(nil), x0...)
	grad := make([]float64, ld.Dim())
	expand := func(y []float64) {
		for i, k := range cont {
			full[k] = y[i]
		}
	}
	p := optimize.Problem{
		Func: func(y []float64) float64 {
			expand(y)
			v := ld.Logp(full)
			if math.IsNaN(v) {
				return math.Inf(1)
			}
			return -v
		},
	}
	var method optimize.Method = &optimize.NelderMead{}
	if ld.HasGrad() {
		p.Grad = func(g, y []float64) {
			expand(y)
			ld.LogpGrad(full, grad)
			for i, k := range cont {
				g[i] = -grad[k]
			}
		}
		method = &optimize.LBFGS{}
	}
	y0 := make([]float64, len(cont))
	for i, k := range cont {
		y0[i] = x0[k]
	}
	settings := &optimize.Settings{MajorIterations: c.maxIter, GradientThreshold: c.gradTol,
		Converger: &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 50}}
	res, oerr := optimize.Minimize(p, y0, settings, method)
	if res == nil {
		return nil, &Error{Op: "FindMAP", Msg: fmt.Sprintf("optimizer failed: %v", oerr)}
	}
	expand(res.X)
	out := &MAPResult{Values: ld.Unflatten(full), Logp: -res.F, Status: res.Status.String(), GradNorm: math.NaN(),
		Iterations: res.Stats.MajorIterations, Evals: res.Stats.FuncEvaluations + res.Stats.GradEvaluations}
	out.Converged = oerr == nil && (res.Status == optimize.GradientThreshold || res.Status == optimize.FunctionConvergence ||
		res.Status == optimize.StepConvergence || res.Status == optimize.Success || res.Status == optimize.FunctionThreshold)
	if oerr != nil && res.Status != optimize.IterationLimit {
		// gonum reports line-search trouble near the optimum as an error; keep the point
		// but say so.
		out.Status = fmt.Sprintf("%s (%v)", res.Status, oerr)
	}
	// A line search that cannot improve a point where the gradient vanishes has converged.
	if ld.HasGrad() {
		ld.LogpGrad(full, grad)
		gmax := 0.0
		for _, k := range cont {
			gmax = math.Max(gmax, math.Abs(grad[k]))
		}
		out.GradNorm = gmax
		if !out.Converged && gmax <= 1e-4 {
			out.Converged = true
		}
	}
	cons, err := m.constrained(ld, full)
	if err != nil {
		return nil, err
	}
	out.Point = cons
	return out, nil
}

// constrained evaluates every free variable (constrained) and deterministic at a flat vector.
func (m *Model) constrained(ld *LogDensity, x []float64) (p Point, err error) {
	f, names, err := m.pointFunction(ld.backend)
	if err != nil {
		return nil, err
	}
	ld.bind(x)
	outs, err := f.Run(ld.args...)
	if err != nil {
		return nil, err
	}
	p = Point{}
	for i, n := range names {
		p[n] = outs[i].Floats()
	}
	return p, nil
}

// pointVars are the variables a trace records: free (constrained) then deterministics.
func (m *Model) pointVars() []*RV {
	var l []*RV
	for _, rv := range m.vars {
		if rv.Kind == Free || rv.Kind == Deterministic {
			l = append(l, rv)
		}
	}
	return l
}

// pointFunction compiles value variables -> every recorded variable.
func (m *Model) pointFunction(backendName string) (f *compiledPoint, names []string, err error) {
	defer catchInto(&err)
	var ins []any
	for _, rv := range m.FreeVars() {
		ins = append(ins, rv.Value)
	}
	var outs []*tensor.Tensor
	for _, rv := range m.pointVars() {
		t := rv.Tensor
		if !t.DType().IsFloat() {
			t = tensor.Cast(t, tensor.Float64)
		}
		outs = append(outs, t)
		names = append(names, rv.Name)
	}
	fn, err := compileFn(ins, outs, backendName)
	if err != nil {
		return nil, nil, err
	}
	return fn, names, nil
}
