package pm

import (
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug" // the backends every model can select
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// CompileOption configures Compile.
type CompileOption func(*compileConfig)

type compileConfig struct {
	backend    string
	noJacobian bool
}

// NoJacobian leaves the transforms' log-Jacobians out of the log-density: its maximum is then
// the mode in the variables' own space (what FindMAP finds, as PyMC's find_MAP does).
func NoJacobian() CompileOption { return func(c *compileConfig) { c.noJacobian = true } }

// Backend compiles on the named backend ("vm", "debug"), overriding PM_BACKEND and the config.
func Backend(name string) CompileOption { return func(c *compileConfig) { c.backend = name } }

// LogDensity is a model's compiled log-density over the flat vector of its free variables'
// unconstrained values (in model order, each flattened row-major). It implements the
// interfaces the samplers of pm/step consume. A LogDensity is not safe for concurrent use;
// Clone one per goroutine.
type LogDensity struct {
	model   *Model
	free    []*RV
	offsets []int
	sizes   []int
	dim     int
	lp      *backend.Function // logp only
	lpg     *backend.Function // logp and gradient; nil without gradient
	args    []*tensor.Array   // one per free variable, aliasing the caller's x
	noGrad  string            // why there is no gradient, if so
	// flatGrad: lpg's second output is the whole gradient, flat (else one output per float
	// variable).
	flatGrad bool
	// flat, if not nil, is the one input of lp and lpg: the whole vector x (see flatMin).
	flat    []*tensor.Array
	backend string
}

// Compile builds the model's joint log-density (free variables with their transforms'
// log-Jacobians, observed variables, potentials) and its gradient, and compiles them. A model
// whose log-density has no gradient (a black box without one) compiles without it: HasGrad
// reports false and gradient-free samplers still work.
func (m *Model) Compile(opts ...CompileOption) (ld *LogDensity, err error) {
	defer catchInto(&err)
	var c compileConfig
	for _, o := range opts {
		o(&c)
	}
	free := m.FreeVars()
	if len(free) == 0 {
		return nil, &Error{Op: "Compile", Msg: "the model has no free variables"}
	}
	ld = &LogDensity{model: m, free: free}
	ld.offsets = make([]int, 0, len(free))
	ld.sizes = make([]int, 0, len(free))
	ld.args = make([]*tensor.Array, 0, len(free))
	ins := make([]any, 0, len(free))
	vals := make([]*tensor.Tensor, 0, len(free))
	for _, rv := range free {
		n := rv.Value.Type().Size()
		ld.offsets = append(ld.offsets, ld.dim)
		ld.sizes = append(ld.sizes, n)
		ld.dim += n
		ins = append(ins, rv.Value)
		vals = append(vals, rv.Value)
		ld.args = append(ld.args, &tensor.Array{DType: rv.Value.DType(), Shape: append([]int{}, rv.Value.Shape()...)})
	}
	terms := m.logpTerms(!c.noJacobian)
	b, _, err := backend.Select(c.backend)
	if err != nil {
		return nil, err
	}
	_, own := b.(backend.Differentiator)
	floats := make([]*tensor.Tensor, 0, len(vals))
	for _, v := range vals {
		if v.DType().IsFloat() {
			floats = append(floats, v)
		}
	}
	// A model of many variables (one scalar at a time) compiles over one flat input, the
	// sampler's vector, with each variable an element or a slice of it: one input to bind per
	// call instead of one per variable, and the elements of a vectorized prior are the vector
	// itself.
	lpIns := ins
	var repl map[*tensor.Tensor]*tensor.Tensor
	if len(free) >= flatMin && len(floats) == len(vals) && !own {
		theta := tensor.NewVar("theta", tensor.Float64, ld.dim)
		repl = make(map[*tensor.Tensor]*tensor.Tensor, len(free))
		for i, v := range vals {
			if v.NDim() == 0 {
				repl[v] = tensor.At(theta, ld.offsets[i])
			} else {
				repl[v] = tensor.Reshape(tensor.Slice(theta, 0, ld.offsets[i], ld.offsets[i]+ld.sizes[i], 1), v.Shape()...)
			}
		}
		lpIns = []any{theta}
		ld.flat = []*tensor.Array{{DType: tensor.Float64, Shape: []int{ld.dim}}}
	}
	// Over a flat input the variables are replaced by their parts of theta before the gradient
	// is built, and the gradient is taken with respect to those parts: the graph that building
	// the gradient on the variables and then replacing them gives, without rebuilding the
	// gradient's nodes (twice as many as the log-density's). The terms are replaced before
	// they are added up: the sum that replacing the sum of the terms gives, without building
	// the chain of additions twice.
	wrt := floats
	if repl != nil {
		terms = tensor.Replace(terms, repl)
		wrt = make([]*tensor.Tensor, len(floats))
		for i, v := range floats {
			wrt[i] = repl[v]
		}
	}
	lpOut := addTerms(terms)
	var grads []*tensor.Tensor
	gerr := tensor.Catch(func() { grads = tensor.Grad(lpOut, wrt...) })
	if gerr != nil || own {
		if ld.lp, err = backend.Compile(lpIns, lpOut, backend.Use(c.backend)); err != nil {
			return nil, err
		}
		ld.backend = ld.lp.Backend()
	}
	if gerr != nil {
		ld.noGrad = gerr.Error()
		return ld, nil
	}
	// The gradient graph is built once: a backend that differentiates by itself gets the cost,
	// the others the graph just built (what CompileGradient would build again).
	if own {
		ld.lpg, err = backend.CompileGradient(ins, lpOut, floats, backend.Use(c.backend)) // not flat: over the variables
	} else {
		outs := append([]*tensor.Tensor{lpOut}, grads...)
		if len(floats) == len(vals) && len(grads) > 1 {
			// One gradient output, the flat vector the sampler wants: one copy per call
			// however many variables, and a model of many scalars gets its gradient as one
			// vector (Rewrite's vectorization then removes the per-element nodes).
			outs = []*tensor.Tensor{lpOut, flatGradient(grads)}
			ld.flatGrad = true
		}
		// The log-density alone is the first output of the graph rewritten for both: rewritten
		// once, and Logp gives bit for bit LogpGrad's value.
		if ld.lpg, err = backend.Compile(lpIns, outs, backend.Use(c.backend)); err == nil {
			ld.backend = ld.lpg.Backend()
			ld.lp, err = ld.lpg.Prefix(1)
		}
	}
	if err != nil {
		return nil, err
	}
	if !c.noJacobian {
		m.compiled.Store(&compiledLogp{ld: ld, version: m.version})
	}
	return ld, nil
}

// flatGradient is the gradients grads, each flattened, joined in one vector: packed when they
// are all scalars (one node, where joining makes one per scalar), else concatenated.
func flatGradient(grads []*tensor.Tensor) *tensor.Tensor {
	scalars := true
	for _, g := range grads {
		scalars = scalars && g.NDim() == 0 && g.DType() == tensor.Float64
	}
	if scalars {
		return tensor.Apply1(tensor.PackOp{}, grads...)
	}
	parts := make([]any, len(grads))
	for i, g := range grads {
		parts[i] = tensor.Flatten(g)
	}
	return tensor.Concatenate(0, parts...)
}

// flatMin is the number of free variables from which the log-density is compiled over one
// flat input.
const flatMin = 16

// run binds x and runs f, one of lp and lpg.
func (ld *LogDensity) run(f *backend.Function, x []float64) ([]*tensor.Array, error) {
	if ld.flat != nil {
		ld.flat[0].Data = x
		return f.Run(ld.flat...)
	}
	ld.bind(x)
	return f.Run(ld.args...)
}

// logpTerms lists the model's terms in order, with or without the log-Jacobians.
func (m *Model) logpTerms(jacobian bool) []*tensor.Tensor {
	terms := make([]*tensor.Tensor, 0, len(m.vars))
	for _, rv := range m.vars {
		if rv.term != nil {
			terms = append(terms, rv.term)
		}
		if jacobian && rv.jac != nil {
			terms = append(terms, rv.jac)
		}
	}
	return terms
}

// addTerms is the sum of terms, added one at a time in order (0 without terms).
func addTerms(terms []*tensor.Tensor) *tensor.Tensor {
	if len(terms) == 0 {
		return tensor.Const(0.0)
	}
	total := terms[0]
	for _, t := range terms[1:] {
		total = tensor.Add(total, t)
	}
	return total
}

// Dim is the number of unconstrained coordinates.
func (ld *LogDensity) Dim() int { return ld.dim }

// HasGrad reports whether the log-density has a gradient.
func (ld *LogDensity) HasGrad() bool { return ld.lpg != nil }

// NoGradReason says why there is no gradient ("" if there is one).
func (ld *LogDensity) NoGradReason() string { return ld.noGrad }

// Backend names the backend the density was compiled on.
func (ld *LogDensity) Backend() string { return ld.backend }

func (ld *LogDensity) bind(x []float64) {
	for i, a := range ld.args {
		a.Data = x[ld.offsets[i] : ld.offsets[i]+ld.sizes[i]]
	}
}

// Logp is the log-density at x. Run-time failures (a matrix that is not positive definite)
// give -Inf, as a point outside the support does.
func (ld *LogDensity) Logp(x []float64) float64 {
	if len(x) != ld.dim {
		return math.NaN()
	}
	out, err := ld.run(ld.lp, x)
	if err != nil {
		return math.Inf(-1)
	}
	return out[0].Data[0]
}

// LogpGrad writes the gradient at x into grad and returns the log-density. Without a gradient
// it fills grad with NaN. Discrete coordinates get a zero gradient. It allocates nothing.
func (ld *LogDensity) LogpGrad(x, grad []float64) float64 {
	if ld.lpg == nil || len(x) != ld.dim || len(grad) != ld.dim {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return ld.Logp(x)
	}
	out, err := ld.run(ld.lpg, x)
	if err != nil {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return math.Inf(-1)
	}
	if ld.flatGrad {
		copy(grad, out[1].Data)
		return out[0].Data[0]
	}
	k := 1
	for i, rv := range ld.free {
		g := grad[ld.offsets[i] : ld.offsets[i]+ld.sizes[i]]
		if rv.Value.DType().IsFloat() {
			copy(g, out[k].Data)
			k++
		} else {
			for j := range g {
				g[j] = 0
			}
		}
	}
	return out[0].Data[0]
}

// Clone returns an independent copy for another goroutine.
func (ld *LogDensity) Clone() *LogDensity {
	c := *ld
	c.lp = ld.lp.Clone()
	if ld.lpg != nil {
		c.lpg = ld.lpg.Clone()
	}
	c.args = make([]*tensor.Array, len(ld.args))
	for i, a := range ld.args {
		c.args[i] = &tensor.Array{DType: a.DType, Shape: a.Shape}
	}
	if ld.flat != nil {
		c.flat = []*tensor.Array{{DType: tensor.Float64, Shape: ld.flat[0].Shape}}
	}
	return &c
}

// Blocks describes the coordinates of each free variable: its value variable's name, offset
// and size in the flat vector, and whether it is discrete.
func (ld *LogDensity) Blocks() []Block {
	bs := make([]Block, len(ld.free))
	for i, rv := range ld.free {
		bs[i] = Block{Var: rv.Name, ValueName: rv.ValueName(), Offset: ld.offsets[i], Size: ld.sizes[i],
			Discrete: !rv.Value.DType().IsFloat()}
	}
	return bs
}

// Block is one free variable's coordinates in the flat vector.
type Block struct {
	Var       string
	ValueName string
	Offset    int
	Size      int
	Discrete  bool
}

// Flatten packs a point (value variables by name, e.g. from InitialPoint) into a flat vector.
func (ld *LogDensity) Flatten(p Point) ([]float64, error) {
	x := make([]float64, ld.dim)
	for i, rv := range ld.free {
		v, ok := p[rv.ValueName()]
		if !ok {
			return nil, &Error{Op: "Flatten", Var: rv.ValueName(), Msg: "missing from the point"}
		}
		if len(v) != ld.sizes[i] {
			return nil, &Error{Op: "Flatten", Var: rv.ValueName(), Msg: fmt.Sprintf("has %d values but the variable has %d", len(v), ld.sizes[i])}
		}
		copy(x[ld.offsets[i]:], v)
	}
	return x, nil
}

// Unflatten splits a flat vector into a point keyed by value-variable name.
func (ld *LogDensity) Unflatten(x []float64) Point {
	p := Point{}
	for i, rv := range ld.free {
		p[rv.ValueName()] = append([]float64(nil), x[ld.offsets[i]:ld.offsets[i]+ld.sizes[i]]...)
	}
	return p
}

// Point maps variable names to their values, flattened row-major (scalars have one value).
type Point map[string][]float64

// String prints the point with sorted names, e.g. {alpha: 0.5, beta: [1 2]}.
func (p Point) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range sortedKeys(p) {
		if i > 0 {
			b.WriteString(", ")
		}
		v := p[k]
		if len(v) == 1 {
			fmt.Fprintf(&b, "%s: %.6g", k, v[0])
		} else {
			fmt.Fprintf(&b, "%s: %.6g", k, v)
		}
	}
	b.WriteByte('}')
	return b.String()
}
