package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// refProgram runs a plan step by step: the reference evaluator package tensor uses for its own
// needs (VerifyGrad, Eval) without depending on any backend.
type refProgram struct{ plan *Plan }

func newRefProgram(fg *FunctionGraph) (Program, error) {
	return &refProgram{plan: NewPlan(fg, newRefProgram, false)}, nil
}

func (p *refProgram) Run(in []*Array) ([]*Array, error) {
	if err := p.plan.Bind(in); err != nil {
		return nil, err
	}
	if err := p.plan.Run(); err != nil {
		return nil, err
	}
	return p.plan.Finish(), nil
}

func (p *refProgram) Clone() Program { q, _ := newRefProgram(p.plan.FG); return q }

// Eval computes tensors that depend on no input variables (constants, shared variables, random
// draws) with package tensor's reference evaluator, without rewrites. It is meant for tests and
// for quick looks at a value; compiled functions are the way to compute in earnest.
func Eval(outputs ...*Tensor) ([]*Array, error) {
	fg, err := NewFunctionGraph(nil, outputs, nil)
	if err != nil {
		return nil, err
	}
	p, _ := newRefProgram(fg)
	outs, err := p.Run(nil)
	if err != nil {
		return nil, err
	}
	res := make([]*Array, len(outs))
	for i, o := range outs {
		res[i] = o.Clone()
	}
	return res, nil
}

// VerifyOptions tunes VerifyGrad; the zero value (or nil) takes the defaults.
type VerifyOptions struct {
	Eps    float64 // finite-difference step; default 1e-6 (scaled by max(1, |x|))
	AbsTol float64 // default 1e-6
	RelTol float64 // default 1e-5
	Seed   uint64  // seed of the random projection; default 1
}

// VerifyGrad checks the symbolic gradient of f at the point pt against central finite
// differences, as Theano's verify_grad does: f receives one input variable per element of pt
// (with pt's shapes), its output is projected on a random tensor to get a scalar cost, and the
// gradient of that cost with respect to every input is compared element by element. The error
// names the input and index whose gradient is off, with both values. Use it for ops you write.
func VerifyGrad(f func(in []*Tensor) *Tensor, pt []any, opts *VerifyOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	o := VerifyOptions{Eps: 1e-6, AbsTol: 1e-6, RelTol: 1e-5, Seed: 1}
	if opts != nil {
		if opts.Eps > 0 {
			o.Eps = opts.Eps
		}
		if opts.AbsTol > 0 {
			o.AbsTol = opts.AbsTol
		}
		if opts.RelTol > 0 {
			o.RelTol = opts.RelTol
		}
		if opts.Seed != 0 {
			o.Seed = opts.Seed
		}
	}
	vals := make([]*Array, len(pt))
	vars := make([]*Tensor, len(pt))
	for i, p := range pt {
		a, err := AsArray(p)
		if err != nil {
			return fmt.Errorf("tensor: VerifyGrad point %d: %w", i, err)
		}
		a = a.Clone()
		a.DType = Float64
		vals[i] = a
		vars[i] = NewVar(fmt.Sprintf("in%d", i), Float64, a.Shape...)
	}
	out := f(vars)
	if out == nil {
		return fmt.Errorf("tensor: VerifyGrad: f returned nil")
	}
	// Random projection with known shape: evaluate the output once to learn it.
	fg0, err := NewFunctionGraph(vars, []*Tensor{out}, nil)
	if err != nil {
		return err
	}
	p0, _ := newRefProgram(fg0)
	o0, err := p0.Run(vals)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	proj := NewArray(Float64, o0[0].Shape...)
	for i := range proj.Data {
		proj.Data[i] = rng.Float64() + 0.5
	}
	cost := Sum(Mul(Cast(out, Float64), constArray(proj)))
	grads := Grad(cost, vars...)
	fg, err := NewFunctionGraph(vars, append([]*Tensor{cost}, grads...), nil)
	if err != nil {
		return err
	}
	prog, _ := newRefProgram(fg)
	res, err := prog.Run(vals)
	if err != nil {
		return err
	}
	analytic := make([][]float64, len(vars))
	for i := range vars {
		analytic[i] = append([]float64(nil), res[1+i].Data...)
	}
	costAt := func() (float64, error) {
		r, err := prog.Run(vals)
		if err != nil {
			return 0, err
		}
		return r[0].Data[0], nil
	}
	for i, a := range vals {
		for j := range a.Data {
			x := a.Data[j]
			h := o.Eps * math.Max(1, math.Abs(x))
			a.Data[j] = x + h
			fp, err := costAt()
			if err != nil {
				return err
			}
			a.Data[j] = x - h
			fm, err := costAt()
			if err != nil {
				return err
			}
			a.Data[j] = x
			num := (fp - fm) / (2 * h)
			an := analytic[i][j]
			if math.IsNaN(an) != math.IsNaN(num) || math.Abs(an-num) > o.AbsTol+o.RelTol*math.Max(math.Abs(an), math.Abs(num)) {
				return fmt.Errorf("tensor: VerifyGrad: gradient of input %d at flat index %d is %.10g, but finite differences give %.10g (expression %s)",
					i, j, an, num, shortPP(out))
			}
		}
	}
	return nil
}

func shortPP(t *Tensor) string {
	s := PP(t)
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}
