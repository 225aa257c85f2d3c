package pm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// blackBox holds a user's log-density written as plain Go functions.
type blackBox struct {
	name  string
	logp  func(x []float64) float64
	grad  func(x, g []float64)
	sizes []int
	total int
}

// blackBoxOp evaluates the user's log-density on its inputs, concatenated (flattened) into one
// vector x, as the TensorFlow/"black box" likelihood op PyMC users write.
type blackBoxOp struct{ bb *blackBox }

func (o blackBoxOp) String() string { return "blackbox{" + o.bb.name + "}" }

func (o blackBoxOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if err := o.bb.check(in); err != nil {
		return nil, err
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: []int{}}}, nil
}

func (bb *blackBox) check(in []tensor.Type) error {
	if len(in) != len(bb.sizes) {
		return fmt.Errorf("takes %d inputs, got %d", len(bb.sizes), len(in))
	}
	for i, t := range in {
		if t.Known() && t.Size() != bb.sizes[i] {
			return fmt.Errorf("input %d has %d values at run time but %d when built", i, t.Size(), bb.sizes[i])
		}
	}
	return nil
}

func gather(x []float64, in []*tensor.Array) {
	k := 0
	for _, a := range in {
		k += copy(x[k:], a.Data)
	}
}

func (o blackBoxOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	x := make([]float64, o.bb.total)
	f := o.bb.logp
	return func(out, in []*tensor.Array) error {
		gather(x, in)
		out[0].Data[0] = f(x)
		return nil
	}, nil
}

func (o blackBoxOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	if o.bb.grad == nil {
		panic(&tensor.Error{Op: o.String(), Msg: fmt.Sprintf("black box %q has no gradient function; use a gradient-free sampler (Slice or Metropolis) or give one", o.bb.name)})
	}
	gs := tensor.ApplyOp(blackBoxGradOp{o.bb}, in...)
	res := make([]*tensor.Tensor, len(in))
	for i, g := range gs {
		res[i] = tensor.Mul(gout[0], g)
	}
	return res
}

// blackBoxGradOp gives the gradient of the black box, one output per input.
type blackBoxGradOp struct{ bb *blackBox }

func (o blackBoxGradOp) String() string { return "blackbox_grad{" + o.bb.name + "}" }

func (o blackBoxGradOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if err := o.bb.check(in); err != nil {
		return nil, err
	}
	out := make([]tensor.Type, len(in))
	for i, t := range in {
		out[i] = tensor.Type{DType: tensor.Float64, Shape: t.Shape}
	}
	return out, nil
}

func (o blackBoxGradOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	x := make([]float64, o.bb.total)
	g := make([]float64, o.bb.total)
	f := o.bb.grad
	return func(out, in []*tensor.Array) error {
		gather(x, in)
		for i := range g {
			g[i] = 0
		}
		f(x, g)
		k := 0
		for _, a := range out {
			k += copy(a.Data, g[k:])
		}
		return nil
	}, nil
}

func (o blackBoxGradOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	panic(&tensor.Error{Op: o.String(), Msg: "second derivatives of a black box are not available"})
}

// BlackBoxOp is the op-level form of a black-box log-density: a scalar tensor whose value is
// logp(x), x being the inputs' values concatenated (each flattened row-major), and whose
// gradient comes from grad (which adds nothing if nil: the term then has no gradient, and only
// gradient-free samplers can use a model containing it). Model.BlackBox is the checked form.
func BlackBoxOp(name string, logp func(x []float64) float64, grad func(x, g []float64), inputs ...any) *tensor.Tensor {
	if logp == nil {
		fail("BlackBox", name, "the log-density function is nil")
	}
	bb := &blackBox{name: name, logp: logp, grad: grad}
	ins := make([]*tensor.Tensor, len(inputs))
	for i, v := range inputs {
		t := tensor.As(v)
		if !t.Type().Known() {
			fail("BlackBox", name, "input %d has an unknown shape %s; black boxes need fixed sizes", i, tensor.ShapeString(t.Shape()))
		}
		if !t.DType().IsFloat() {
			t = tensor.Cast(t, tensor.Float64)
		}
		ins[i] = t
		bb.sizes = append(bb.sizes, t.Type().Size())
		bb.total += t.Type().Size()
	}
	return tensor.Apply1(blackBoxOp{bb}, ins...)
}

// BlackBox adds a log-density term written as plain Go functions (a likelihood from another
// library or a simulator): logp takes the inputs' values concatenated into x (each flattened
// row-major, in order); grad, if not nil, writes the gradient with respect to x into g. A
// gradient is checked against central finite differences at the model's initial point and at
// three points around it, and a wrong one is an error naming the component that is off. Without a gradient the model
// is still usable by gradient-free samplers (Slice, Metropolis). It returns the term.
func (m *Model) BlackBox(name string, inputs []*tensor.Tensor, logp func(x []float64) float64, grad func(x, g []float64)) *tensor.Tensor {
	args := make([]any, len(inputs))
	for i, t := range inputs {
		args[i] = t
	}
	term := BlackBoxOp(name, logp, grad, args...)
	bb := term.Owner().Op.(blackBoxOp).bb
	if grad != nil {
		if err := m.checkBlackBox(bb, term.Owner().Inputs); err != nil {
			panic(err)
		}
	}
	m.bbs = append(m.bbs, bb)
	return m.Potential(name, term)
}

// checkBlackBox compares the black box's gradient with central differences at the inputs'
// values at the initial point and at a few points around it (the initial point jittered by
// U(-1, 1) in unconstrained space, as chains start), so that a gradient right only at the start
// is caught.
func (m *Model) checkBlackBox(bb *blackBox, inputs []*tensor.Tensor) error {
	p, err := m.InitialPoint()
	if err != nil {
		return err
	}
	free := m.FreeVars()
	var ins []any
	for _, rv := range free {
		ins = append(ins, rv.Value)
	}
	f, err := compileFn(ins, inputs, "")
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const points = 4
	for k := 0; k < points; k++ {
		args := make([]any, len(free))
		for i, rv := range free {
			v := append([]float64(nil), p[rv.ValueName()]...)
			if k > 0 && rv.Value.DType().IsFloat() {
				for j := range v {
					v[j] += 2*rng.Float64() - 1
				}
			}
			args[i] = &tensor.Array{DType: rv.Value.DType(), Shape: rv.Value.Shape(), Data: v}
		}
		vals, err := f.Call(args...)
		if err != nil {
			return err
		}
		if err := bb.checkGradAt(vals); err != nil {
			return err
		}
	}
	return nil
}

// checkGradAt compares the gradient at the inputs' values vals with central differences.
func (bb *blackBox) checkGradAt(vals []*tensor.Array) error {
	x := make([]float64, bb.total)
	gather(x, vals)
	if lp := bb.logp(x); math.IsNaN(lp) || math.IsInf(lp, 0) {
		return nil // outside the density's support: nothing to compare
	}
	g := make([]float64, bb.total)
	bb.grad(x, g)
	for j := range x {
		h := 1e-6 * math.Max(1, math.Abs(x[j]))
		xj := x[j]
		x[j] = xj + h
		fp := bb.logp(x)
		x[j] = xj - h
		fm := bb.logp(x)
		x[j] = xj
		num := (fp - fm) / (2 * h)
		if math.IsNaN(num) || math.IsInf(num, 0) {
			continue // no finite reference here; nothing to compare
		}
		if math.IsNaN(g[j]) || math.Abs(g[j]-num) > 1e-5+1e-3*math.Max(math.Abs(g[j]), math.Abs(num)) {
			return &Error{Op: "BlackBox", Var: bb.name, Msg: fmt.Sprintf(
				"the gradient function is wrong: component %d of the gradient is %.8g but finite differences give %.8g (at x = %.6g)",
				j, g[j], num, x)}
		}
	}
	return nil
}
