package tensor

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// LikelihoodSumOp is a fused likelihood whose elementwise values are only ever summed: it
// outputs the sum (a scalar) and the partial derivatives, in one pass. Rewrite introduces it in
// place of sum(bernoulli_logit_lpmf(y, η)) when nothing else reads the elementwise values.
type LikelihoodSumOp struct{ kind likeKind }

// String implements Op.
func (o LikelihoodSumOp) String() string { return "sum_" + likeNames[o.kind] }

// Infer implements Op: a scalar, then the partials with the inputs' broadcast shape.
func (o LikelihoodSumOp) Infer(in []Type) ([]Type, error) {
	ts, err := LikelihoodOp{o.kind}.Infer(in)
	if err != nil {
		return nil, err
	}
	ts[0] = Type{DType: Float64, Shape: []int{}}
	return ts, nil
}

// Grad implements Op: as LikelihoodOp's, with the scalar gradient broadcast.
func (o LikelihoodSumOp) Grad(in, out, gout []*Tensor) []*Tensor {
	full := []*Tensor{nil, out[1]}
	if len(out) > 2 {
		full = append(full, out[2])
	}
	g := make([]*Tensor, len(gout))
	copy(g, gout)
	if g[0] != nil {
		g[0] = Apply1(Elemwise{opFill}, out[1], g[0])
	}
	// The elementwise values are not needed by LikelihoodOp.Grad; pass the partials.
	full[0] = out[1]
	return LikelihoodOp{o.kind}.Grad(in, full, g)
}

// Kernel implements Op.
func (o LikelihoodSumOp) Kernel(spec KernelSpec) (Kernel, error) {
	if o.kind != likeBernoulliLogit {
		return nil, errorf(o.String(), "not implemented")
	}
	n := shapeSize(spec.Out[1].Shape)
	contiguous := sameShape(spec.In[0].Shape, spec.Out[1].Shape) && sameShape(spec.In[1].Shape, spec.Out[1].Shape)
	// Labels that are constant 0/1 are checked once here; others are checked at each call.
	constLabels := false
	if y := spec.Node.Inputs[0].Value(); y != nil && contiguous {
		constLabels = true
		for _, v := range y.Data {
			if v != 0 && v != 1 {
				constLabels = false
			}
		}
	}
	elem, err := LikelihoodOp{o.kind}.Kernel(KernelSpec{Node: spec.Node, In: spec.In,
		Out: []Type{spec.Out[1], spec.Out[1]}, Compile: spec.Compile})
	if err != nil {
		return nil, err
	}
	scratch := &Array{DType: Float64, Shape: spec.Out[1].Shape, Data: make([]float64, n)}
	outs2 := make([]*Array, 2)
	return func(out, in []*Array) error {
		y, eta := in[0].Data, in[1].Data
		if contiguous {
			ok := constLabels
			if !ok {
				ok = true
				for _, v := range y {
					if v != 0 && v != 1 {
						ok = false
						break
					}
				}
			}
			if ok {
				out[0].Data[0] = fastmath.BernoulliLogit(eta, y, out[1].Data)
				return nil
			}
		}
		outs2[0], outs2[1] = scratch, out[1]
		if err := elem(outs2, in); err != nil {
			return err
		}
		s := 0.0
		for _, v := range scratch.Data {
			s += v
		}
		if math.IsNaN(s) {
			s = math.NaN()
		}
		out[0].Data[0] = s
		return nil
	}, nil
}

// fuseLikelihoodSums replaces sum(likelihood(...)[0]) by a LikelihoodSumOp when the sum is the
// only reader of the elementwise values, rewiring the readers of the partials. It runs after the
// local rules, when the whole graph (and so every reader) is known.
func fuseLikelihoodSums(fg *FunctionGraph) (*FunctionGraph, bool) {
	readers := fg.readers()
	repl := map[*Tensor]*Tensor{}
	for _, n := range fg.Nodes {
		s, ok := n.Op.(SumOp)
		if !ok || s.KeepDims {
			continue
		}
		x := n.Inputs[0]
		if x.owner == nil || x.index != 0 || readers[x] != 1 || s.Axes != 0 && s.Axes != allAxes(x.NDim()) {
			continue
		}
		lo, ok := x.owner.Op.(LikelihoodOp)
		if !ok || lo.kind != likeBernoulliLogit {
			continue
		}
		outs := ApplyOp(LikelihoodSumOp{lo.kind}, x.owner.Inputs...)
		repl[n.Outputs[0]] = outs[0]
		for k := 1; k < len(outs); k++ {
			repl[x.owner.Outputs[k]] = outs[k]
		}
	}
	if len(repl) == 0 {
		return fg, false
	}
	// Rebuild everything downstream of the replaced tensors, outputs and updates alike.
	targets := append([]*Tensor(nil), fg.Outputs...)
	for _, u := range fg.Updates {
		targets = append(targets, u.Value)
	}
	rebuilt := map[*Tensor]*Tensor{}
	for i, t := range Replace(targets, repl) {
		rebuilt[targets[i]] = t
	}
	res, err := fg.remap(func(t *Tensor) *Tensor { return rebuilt[t] })
	if err != nil {
		return fg, false
	}
	return res, true
}
