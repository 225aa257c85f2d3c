package tensor

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// LikelihoodSumOp is a fused likelihood whose elementwise values are only ever summed: it
// outputs the sum (a scalar) and the partial derivatives, in one pass. Rewrite introduces it in
// place of sum(bernoulli_logit_lpmf(y, η)) and sum(normal_lpdf(x, μ, σ)) when nothing else
// reads the elementwise values, and with a start (an extra first input, the scalar the values
// are added to one at a time, in order) in place of sum_from(a, normal_lpdf(x, μ, σ)).
type LikelihoodSumOp struct {
	kind likeKind
	from bool  // the first input is the start of the sum
	skip uint8 // as LikelihoodOp's: partial outputs read by nothing, left unwritten
	fold uint8 // as LikelihoodOp's: partial outputs summed or negated
}

// String implements Op.
func (o LikelihoodSumOp) String() string { return "sum_" + likeNames[o.kind] }

// Start reports whether the op's first input is a scalar its sum starts from (sum_from of the
// elementwise values); the likelihood's operands follow it.
func (o LikelihoodSumOp) Start() bool { return o.from }

// Infer implements Op: a scalar, then the partials with the inputs' broadcast shape.
func (o LikelihoodSumOp) Infer(in []Type) ([]Type, error) {
	if o.from {
		if len(in) == 0 || len(in[0].Shape) != 0 {
			return nil, errorf(o.String(), "the start must be a scalar")
		}
		in = in[1:]
	}
	ts, err := LikelihoodOp{kind: o.kind, fold: o.fold}.Infer(in)
	if err != nil {
		return nil, err
	}
	ts[0] = Type{DType: Float64, Shape: []int{}}
	return ts, nil
}

// Grad implements Op: as LikelihoodOp's, with the scalar gradient broadcast; the start's
// gradient is the output's.
func (o LikelihoodSumOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if o.from {
		g := o
		g.from = false
		return append([]*Tensor{gout[0]}, g.Grad(in[1:], out, gout)...)
	}
	if o.skip != 0 || o.fold != 0 {
		// Skipped or folded partials: differentiate the op that computes them as they are.
		full := LikelihoodSumOp{kind: o.kind}
		outs := ApplyOp(full, in...)
		return full.Grad(in, outs, unfoldGrad(o.fold, outs, gout))
	}
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
	return LikelihoodOp{kind: o.kind}.Grad(in, full, g)
}

// Kernel implements Op.
func (o LikelihoodSumOp) Kernel(spec KernelSpec) (Kernel, error) {
	if o.kind == likeNormal {
		nk, err := newNormalKernel(spec, o.skip, o.fold, true, o.from)
		if err != nil {
			return nil, err
		}
		if o.from {
			return func(out, in []*Array) error {
				out[0].Data[0] = nk.run(out, in[1:], in[0].Data[0])
				return nil
			}, nil
		}
		return func(out, in []*Array) error {
			out[0].Data[0] = nk.run(out, in, 0)
			return nil
		}, nil
	}
	if o.kind != likeBernoulliLogit || o.from {
		return nil, errorf(o.String(), "not implemented")
	}
	n := shapeSize(spec.Out[1].Shape)
	contiguous := sameShape(spec.In[0].Shape, spec.Out[1].Shape) && sameShape(spec.In[1].Shape, spec.Out[1].Shape)
	// Labels that are constant 0/1 are checked once here; others are checked at each call.
	constLabels := false
	if y := spec.Node.Inputs[0].Value(); y != nil && contiguous {
		constLabels = labels01(y.Data)
	}
	elem, err := LikelihoodOp{kind: o.kind}.Kernel(KernelSpec{Node: spec.Node, In: spec.In,
		Out: []Type{spec.Out[1], spec.Out[1]}, Compile: spec.Compile})
	if err != nil {
		return nil, err
	}
	scratch := &Array{DType: Float64, Shape: spec.Out[1].Shape, Data: make([]float64, n)}
	outs2 := make([]*Array, 2)
	return func(out, in []*Array) error {
		y, eta := in[0].Data, in[1].Data
		if contiguous {
			if constLabels || labels01(y) {
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

// likeSumMin is the smallest normal likelihood fuseLikelihoodSums fuses with its sum (Scan's
// loop compiler takes the summed form too). With the σ partial summed in the kernel (foldPartials)
// the fused sum costs no more than the elementwise op and its SumOp from 16 elements on; it
// paid only from a few hundred while the kernel wrote the σ partials for a SumOp to add.
const likeSumMin = 16

// fuseLikelihoodSums replaces sum(likelihood(...)[0]) by a LikelihoodSumOp when the sum is the
// only reader of the elementwise values, rewiring the readers of the partials, and
// sum_from(a, normal_lpdf(...)[0]) by one with a start. It runs after the local rules, when
// the whole graph (and so every reader) is known.
func fuseLikelihoodSums(fg *FunctionGraph) (*FunctionGraph, bool) {
	var readers *idTable[int32]   // counted when a sum of a fusable likelihood turns up
	sumOf := map[*Apply]*Apply{}  // a likelihood node to the sum that reads its values
	start := map[*Apply]*Tensor{} // and that sum's start
	for _, n := range fg.Nodes {
		var x, from *Tensor
		switch s := n.Op.(type) {
		case SumOp:
			x = n.Inputs[0]
			if s.KeepDims || s.Axes != 0 && s.Axes != allAxes(x.NDim()) {
				continue
			}
		case SumFromOp:
			from, x = n.Inputs[0], n.Inputs[1]
		default:
			continue
		}
		if x.owner == nil || x.index != 0 {
			continue
		}
		lo, ok := x.owner.Op.(LikelihoodOp)
		if !ok || !(lo.kind == likeBernoulliLogit && from == nil || lo.kind == likeNormal && x.Type().Size() >= likeSumMin) {
			continue
		}
		if readers == nil {
			readers = fg.readerCounts()
		}
		if readers.get(x.idOf()) != 1 {
			continue
		}
		sumOf[x.owner] = n
		if from != nil {
			start[x.owner] = from
		}
	}
	if len(sumOf) == 0 {
		return fg, false
	}
	// The fused node takes the place of the likelihood, which may come before its sum's start:
	// order the nodes so that it comes after.
	order, ok := orderAfter(fg.Nodes, start)
	if !ok {
		return fg, false
	}
	m := map[*Tensor]*Tensor{}
	get := func(t *Tensor) *Tensor {
		if r, ok := m[t]; ok {
			return r
		}
		return t
	}
	res, err := fg.rebuild(order, m, func(n *Apply, ins []*Tensor) []*Tensor {
		s := sumOf[n]
		if s == nil {
			return nil
		}
		lo := n.Op.(LikelihoodOp)
		var outs []*Tensor
		if st := start[n]; st != nil {
			outs = ApplyOp(LikelihoodSumOp{kind: lo.kind, from: true, fold: lo.fold}, append([]*Tensor{get(st)}, ins...)...)
		} else {
			outs = ApplyOp(LikelihoodSumOp{kind: lo.kind, fold: lo.fold}, ins...)
		}
		m[s.Outputs[0]] = outs[0] // the sum, which rebuild then skips
		return outs               // the elementwise values (read by the sum only) and the partials
	})
	if err != nil {
		return fg, false
	}
	return res, true
}

// orderAfter lists nodes (a topological order) so that every node also comes after the node
// computing after[n], when that is one of nodes; false if that makes a cycle.
func orderAfter(nodes []*Apply, after map[*Apply]*Tensor) ([]*Apply, bool) {
	if len(after) == 0 {
		return nodes, true
	}
	const todo, open, done = 0, 1, 2
	state := make(map[*Apply]uint8, len(nodes))
	for _, n := range nodes {
		state[n] = todo
	}
	order := make([]*Apply, 0, len(nodes))
	type frame struct {
		n *Apply
		i int
	}
	var stack []frame
	for _, root := range nodes {
		if state[root] != todo {
			continue
		}
		state[root] = open
		stack = append(stack[:0], frame{root, 0})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			var dep *Tensor
			switch {
			case f.i < len(f.n.Inputs):
				dep = f.n.Inputs[f.i]
			case f.i == len(f.n.Inputs) && after[f.n] != nil:
				dep = after[f.n]
			default:
				state[f.n] = done
				order = append(order, f.n)
				stack = stack[:len(stack)-1]
				continue
			}
			f.i++
			o := dep.owner
			st, in := state[o]
			switch {
			case o == nil || !in || st == done:
			case st == open:
				return nil, false
			default:
				state[o] = open
				stack = append(stack, frame{o, 0})
			}
		}
	}
	return order, true
}

// skipUnreadPartials marks the partial outputs of the normal likelihoods that nothing reads
// (the σ partial of a constant σ, both partials of a likelihood of constants), and a
// regression's Xᵀr that nothing reads (a log-density without its gradient), so that their
// kernels leave them unwritten. It runs last, on the pruned graph.
func skipUnreadPartials(fg *FunctionGraph) (*FunctionGraph, error) {
	var readers *idTable[int32] // counted at the first likelihood
	unread := func(n *Apply) uint8 {
		if readers == nil {
			readers = fg.readerCounts()
		}
		var skip uint8
		for k := 1; k < len(n.Outputs); k++ {
			if readers.get(n.Outputs[k].idOf()) == 0 {
				skip |= 1 << k
			}
		}
		return skip
	}
	ops := map[*Apply]Op{}
	for _, n := range fg.Nodes {
		switch o := n.Op.(type) {
		case LikelihoodOp:
			if skip := unread(n); o.kind == likeNormal && skip != o.skip {
				o.skip = skip
				ops[n] = o
			}
		case LikelihoodSumOp:
			if skip := unread(n); o.kind == likeNormal && skip != o.skip {
				o.skip = skip
				ops[n] = o
			}
		case GLMOp:
			if noXtr := unread(n)&(1<<2) != 0; noXtr != o.noXtr {
				o.noXtr = noXtr
				ops[n] = o
			}
		}
	}
	if len(ops) == 0 {
		return fg, nil
	}
	return fg.rebuild(fg.Nodes, map[*Tensor]*Tensor{}, func(n *Apply, ins []*Tensor) []*Tensor {
		if op := ops[n]; op != nil {
			return ApplyOp(op, ins...)
		}
		return nil
	})
}
