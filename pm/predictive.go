package pm

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// SamplePriorPredictive draws n times from the model's prior: every free variable, observed
// variable (with the data's shape) and deterministic, by forward sampling in model order. It
// returns a trace of one chain of n draws.
func SamplePriorPredictive(m *Model, n int, seed uint64) (tr *Trace, err error) {
	defer catchInto(&err)
	if n < 1 {
		return nil, &Error{Op: "SamplePriorPredictive", Msg: fmt.Sprintf("need at least 1 draw, got %d", n)}
	}
	rs := tensor.NewRandomStream(seed)
	repl := map[*tensor.Tensor]*tensor.Tensor{}
	var outs []*tensor.Tensor
	var rvs []*RV
	for _, rv := range m.vars {
		var t *tensor.Tensor
		switch rv.Kind {
		case Free, Observed:
			shape := rv.Shape
			if rv.Kind == Observed {
				shape = observedDrawShape(rv)
			}
			t = tensor.Replace([]*tensor.Tensor{rv.Dist.Random(rs, shape)}, repl)[0]
			repl[rv.Tensor] = t
		case Deterministic:
			t = tensor.Replace([]*tensor.Tensor{rv.Tensor}, repl)[0]
			repl[rv.Tensor] = t
		default:
			continue
		}
		if !t.DType().IsFloat() {
			t = tensor.Cast(t, tensor.Float64)
		}
		outs = append(outs, t)
		rvs = append(rvs, rv)
	}
	f, err := backend.Compile(nil, outs)
	if err != nil {
		return nil, err
	}
	tr = &Trace{Sampler: "prior predictive", Backend: f.Backend()}
	for _, rv := range rvs {
		tr.Vars = append(tr.Vars, &TraceVar{Name: rv.Name, Shape: shapeOf(rv), Discrete: rv.Dist != nil && rv.Dist.DType() != tensor.Float64,
			Draws: [][][]float64{make([][]float64, n)}})
	}
	for d := 0; d < n; d++ {
		res, err := f.Run()
		if err != nil {
			return nil, &Error{Op: "SamplePriorPredictive", Msg: err.Error()}
		}
		for k, v := range tr.Vars {
			if d == 0 {
				v.Shape = append([]int{}, res[k].Shape...)
			}
			v.Draws[0][d] = append([]float64(nil), res[k].Data...)
		}
	}
	return tr, nil
}

// SamplePosteriorPredictive draws the observed variables once for every draw of a posterior
// trace, with the free variables set to that draw (and the data containers' current values,
// so that new data give out-of-sample predictions). It returns a trace of the observed
// variables with the posterior's chains and draws.
func SamplePosteriorPredictive(m *Model, post *Trace, seed uint64) (tr *Trace, err error) {
	defer catchInto(&err)
	if post == nil || post.NChains() == 0 {
		return nil, &Error{Op: "SamplePosteriorPredictive", Msg: "the trace is empty"}
	}
	rs := tensor.NewRandomStream(seed)
	repl := map[*tensor.Tensor]*tensor.Tensor{}
	var ins []any
	var freeVars []*TraceVar
	for _, rv := range m.FreeVars() {
		tv := post.Var(rv.Name)
		if tv == nil {
			return nil, &Error{Op: "SamplePosteriorPredictive", Var: rv.Name, Msg: "the trace has no draws of this free variable"}
		}
		in := tensor.NewVar(rv.Name, tensor.Float64, rv.Shape...)
		var t *tensor.Tensor = in
		if rv.Dist.DType() != tensor.Float64 {
			t = tensor.Cast(in, rv.Dist.DType())
		}
		repl[rv.Tensor] = t
		ins = append(ins, in)
		freeVars = append(freeVars, tv)
	}
	var outs []*tensor.Tensor
	var obs []*RV
	for _, rv := range m.vars {
		switch rv.Kind {
		case Deterministic:
			repl[rv.Tensor] = tensor.Replace([]*tensor.Tensor{rv.Tensor}, repl)[0]
		case Observed:
			t := tensor.Replace([]*tensor.Tensor{rv.Dist.Random(rs, observedDrawShape(rv))}, repl)[0]
			if !t.DType().IsFloat() {
				t = tensor.Cast(t, tensor.Float64)
			}
			outs = append(outs, t)
			obs = append(obs, rv)
		}
	}
	if len(obs) == 0 {
		return nil, &Error{Op: "SamplePosteriorPredictive", Msg: "the model has no observed variables"}
	}
	f, err := backend.Compile(ins, outs)
	if err != nil {
		return nil, err
	}
	nc := post.NChains()
	tr = &Trace{Sampler: "posterior predictive", Backend: f.Backend()}
	for _, rv := range obs {
		tr.Vars = append(tr.Vars, &TraceVar{Name: rv.Name, Shape: concreteShape(rv.Tensor), Discrete: rv.Dist.DType() != tensor.Float64,
			Draws: make([][][]float64, nc)})
	}
	args := make([]*tensor.Array, len(freeVars))
	for i, tv := range freeVars {
		args[i] = &tensor.Array{DType: tensor.Float64, Shape: append([]int{}, tv.Shape...)}
	}
	shaped := false
	for c := 0; c < nc; c++ {
		nd := len(freeVars[0].Draws[c])
		for _, v := range tr.Vars {
			v.Draws[c] = make([][]float64, nd)
		}
		for d := 0; d < nd; d++ {
			for i, tv := range freeVars {
				args[i].Data = tv.Draws[c][d]
			}
			res, err := f.Run(args...)
			if err != nil {
				return nil, &Error{Op: "SamplePosteriorPredictive", Msg: fmt.Sprintf("draw %d of chain %d: %v", d, c, err)}
			}
			if !shaped {
				for k, v := range tr.Vars {
					v.Shape = append([]int{}, res[k].Shape...)
				}
				shaped = true
			}
			for k, v := range tr.Vars {
				v.Draws[c][d] = append([]float64(nil), res[k].Data...)
			}
		}
	}
	return tr, nil
}

// concreteShape is a tensor's shape now: a data container's current shape, else the static one.
func concreteShape(t *tensor.Tensor) []int {
	if a := tensor.SharedValue(t); a != nil {
		return append([]int{}, a.Shape...)
	}
	return append([]int{}, t.Shape()...)
}

func shapeOf(rv *RV) []int {
	if rv.Kind == Observed {
		return concreteShape(rv.Tensor)
	}
	return append([]int{}, rv.Tensor.Shape()...)
}

// observedDrawShape is the shape to draw an observed variable with: the data's, unless the
// distribution's parameters depend on a data container (an unknown static dimension), whose
// current values then decide it (out-of-sample prediction after SetData).
func observedDrawShape(rv *RV) []int {
	for _, d := range rv.Dist.Shape() {
		if d < 0 {
			return nil
		}
	}
	return concreteShape(rv.Tensor)
}
