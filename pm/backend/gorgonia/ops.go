package gorgonia

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// uncovered says why an op has no translation ("" if it has one). It is checked on every node
// when a graph is compiled, so an uncovered op is a compile-time error.
func uncovered(op tensor.Op) string {
	switch o := op.(type) {
	case tensor.Elemwise:
		switch n := o.ScalarName(); n {
		case "round":
			return "gorgonia has no round-half-to-even"
		case "erf", "erfc":
			return "gorgonia has no error function"
		case "gammaln", "psi", "tri_gamma":
			return "gorgonia has no gamma-family functions"
		case "log1mexp":
			return "not translated (gorgonia has no log1mexp)"
		}
		if _, ok := unary[o.ScalarName()]; ok {
			return ""
		}
		return ""
	case tensor.SumOp, tensor.ExpandOp, tensor.SqueezeOp, tensor.ReshapeOp, tensor.ReshapeLikeOp,
		tensor.TransposeOp, tensor.ConcatOp, tensor.SplitLikeOp, tensor.BroadcastToOp, tensor.AtOp,
		tensor.IncAtsOp, tensor.PackOp, tensor.SumFromOp, tensor.DotOp, tensor.OuterOp, tensor.ShapeOp, tensor.SizeOp, tensor.LikelihoodSumOp,
		tensor.RecurrenceOp:
		return ""
	case tensor.LikelihoodOp, tensor.GLMOp:
		return ""
	case tensor.ReduceOp:
		if o.Kind == tensor.ReduceProd {
			return "gorgonia has no product reduction"
		}
		return ""
	case tensor.SliceOp:
		if o.Step != 1 {
			return "only unit-step slices are translated"
		}
		return ""
	case tensor.IncOp:
		if o.Sub == tensor.SubSlice && o.Step != 1 {
			return "only unit-step slices are translated"
		}
		return ""
	case tensor.TakeOp:
		if o.Mask != "" {
			return "boolean masks are not translated"
		}
		return ""
	case tensor.TakeIncOp:
		if o.Take.Mask != "" || o.Set {
			return "only inc_take without a mask is translated"
		}
		return ""
	case tensor.CumOp:
		if o.Prod {
			return "gorgonia has no cumulative product"
		}
		return ""
	}
	name := op.String()
	if i := strings.IndexByte(name, '{'); i > 0 {
		name = name[:i]
	}
	switch {
	case strings.HasPrefix(name, "random_") || strings.HasPrefix(name, "mv"):
		return "random draws come from gopm's streams, which gorgonia does not have"
	case name == "scan" || strings.HasPrefix(name, "scan"):
		return "inner graphs (Scan) are not translated"
	}
	return "gorgonia has no counterpart"
}

// apply translates the node that computes t and returns t's gorgonia node.
func (b *builder) apply(ap *tensor.Apply, t *tensor.Tensor) (*G.Node, error) {
	k := 0
	for i, o := range ap.Outputs {
		if o == t {
			k = i
		}
	}
	out := shapeOf(b.typ[t])
	in := func(i int) []int { return b.typ[ap.Inputs[i]].Shape }
	one := func() (*G.Node, error) { return b.get(ap.Inputs[0]) }
	switch o := ap.Op.(type) {
	case tensor.Elemwise:
		return b.elemwise(ap, o.ScalarName(), out)
	case tensor.SumOp, tensor.ReduceOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		return b.reduce(o, x, in(0), out)
	case tensor.ExpandOp, tensor.SqueezeOp, tensor.ReshapeOp, tensor.ReshapeLikeOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		return b.reshape(x, out)
	case tensor.BroadcastToOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		return b.expand(x, in(0), out)
	case tensor.TransposeOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		perm := o.Perm.Ints()
		xs := in(0)
		st, pst := strides(xs), make([]int, len(perm))
		for k, p := range perm {
			pst[k] = st[p]
		}
		return b.gather(x, xs, enumerate(out, pst, 0), out)
	case tensor.ShapeOp, tensor.SizeOp:
		// Known from the concrete shapes: a constant.
		v, err := ap.Op.Kernel(tensor.KernelSpec{Node: ap, In: b.inTypes(ap), Out: []tensor.Type{b.typ[t]}})
		if err != nil {
			return nil, err
		}
		res := tensor.NewArray(tensor.Float64, out...)
		args := make([]*tensor.Array, len(ap.Inputs))
		for i := range args {
			args[i] = tensor.NewArray(tensor.Float64, in(i)...)
		}
		if err := v([]*tensor.Array{res}, args); err != nil {
			return nil, err
		}
		return b.constant(out, res.Data), nil
	case tensor.AtOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		return b.at(x, in(0), o.Idx)
	case tensor.SliceOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		return b.slice(x, in(0), o.Axis, o.Start, o.Stop)
	case tensor.IncOp:
		return b.inc(ap, o, out)
	case tensor.IncAtsOp:
		return b.incAts(ap, o, out)
	case tensor.PackOp:
		return b.pack(ap)
	case tensor.SumFromOp:
		ns, err := b.ins(ap)
		if err != nil {
			return nil, err
		}
		s, err := b.reduce(tensor.SumOp{}, ns[1], in(1), nil)
		if err != nil {
			return nil, err
		}
		return G.Add(ns[0], s)
	case tensor.ConcatOp:
		ns, err := b.ins(ap)
		if err != nil {
			return nil, err
		}
		shapes := make([][]int, len(ns))
		for i := range ns {
			shapes[i] = in(i)
		}
		return b.concat(o.Axis, ns, shapes)
	case tensor.SplitLikeOp:
		x, err := one()
		if err != nil {
			return nil, err
		}
		start := 0
		for i := 0; i < k; i++ {
			start += in(i + 1)[o.Axis]
		}
		return b.slice(x, in(0), o.Axis, start, start+in(k + 1)[o.Axis])
	case tensor.DotOp:
		return b.dot(ap, o)
	case tensor.OuterOp:
		ns, err := b.ins(ap)
		if err != nil {
			return nil, err
		}
		// A column times a row: gorgonia's OuterProd fails in its own differentiation.
		n0, m0 := in(0)[0], in(1)[0]
		col, err := b.reshape(ns[0], []int{n0, 1})
		if err != nil {
			return nil, err
		}
		row, err := b.reshape(ns[1], []int{1, m0})
		if err != nil {
			return nil, err
		}
		return G.Mul(col, row)
	case tensor.TakeOp:
		return b.take(ap, o, out)
	case tensor.TakeIncOp:
		return b.takeInc(ap, o, out)
	case tensor.CumOp:
		return b.cumsum(ap, o, out)
	case tensor.LikelihoodOp:
		return b.likelihood(ap, o.String(), k, out, false, o.Folded)
	case tensor.LikelihoodSumOp:
		kind := strings.TrimPrefix(o.String(), "sum_")
		if !o.Start() {
			return b.likelihood(ap, kind, k, out, true, o.Folded)
		}
		// The sum added to the start: the likelihood of the other inputs, then one addition.
		sub := &tensor.Apply{Op: o, Inputs: ap.Inputs[1:], Outputs: ap.Outputs}
		r, err := b.likelihood(sub, kind, k, out, true, o.Folded)
		if err != nil || k != 0 {
			return r, err
		}
		s, err := b.get(ap.Inputs[0])
		if err != nil {
			return nil, err
		}
		return G.Add(s, r)
	case tensor.RecurrenceOp:
		return b.recurrence(ap, o.Reverse, out)
	case tensor.GLMOp:
		// The ops it fuses, whose static types are concrete (the rewrite fuses known shapes).
		outs := o.Unfused(ap.Inputs)
		for _, n := range tensor.Toposort(outs[k]) {
			for _, t := range n.Outputs {
				b.typ[t] = t.Type()
			}
		}
		return b.get(outs[k])
	}
	return nil, fmt.Errorf("internal: no translation")
}

func (b *builder) inTypes(ap *tensor.Apply) []tensor.Type {
	r := make([]tensor.Type, len(ap.Inputs))
	for i, x := range ap.Inputs {
		r[i] = b.typ[x]
	}
	return r
}

// axesOf lists the reduced axes of a SumOp or ReduceOp on a tensor with ndim dimensions.
func axesOf(set tensor.AxisSet, ndim int) []int {
	if set == 0 {
		var all []int
		for k := 0; k < ndim; k++ {
			all = append(all, k)
		}
		return all
	}
	return set.List()
}

// reduce translates sum, max, min and logsumexp over a set of axes.
func (b *builder) reduce(op tensor.Op, x *G.Node, from, out []int) (*G.Node, error) {
	if len(from) == 0 {
		return x, nil
	}
	var set tensor.AxisSet
	kind := "sum"
	switch o := op.(type) {
	case tensor.SumOp:
		set = o.Axes
	case tensor.ReduceOp:
		set, kind = o.Axes, o.Kind.String()
	}
	axes := axesOf(set, len(from))
	// The reduced shape with the axes kept, for broadcasting the maximum back.
	kept := append([]int(nil), from...)
	for _, a := range axes {
		kept[a] = 1
	}
	sum := func(n *G.Node) (*G.Node, error) {
		if len(axes) == len(from) {
			return G.Sum(n)
		}
		return G.Sum(n, axes...)
	}
	max := func(n *G.Node) (*G.Node, error) {
		if len(axes) == len(from) {
			return G.Max(n)
		}
		return G.Max(n, axes...)
	}
	var r *G.Node
	var err error
	switch kind {
	case "sum":
		r, err = sum(x)
	case "max":
		r, err = max(x)
	case "min":
		var nx *G.Node
		if nx, err = G.Neg(x); err == nil {
			if r, err = max(nx); err == nil {
				r, err = G.Neg(r)
			}
		}
	case "logsumexp":
		r, err = b.logsumexp(x, from, kept, max, sum)
	default:
		return nil, fmt.Errorf("internal: reduction %s", kind)
	}
	if err != nil {
		return nil, err
	}
	return b.reshape(r, out)
}

// logsumexp is m + log(Σ exp(x − m)) with m the maximum over the axes, as gopm computes it.
func (b *builder) logsumexp(x *G.Node, from, kept []int, max, sum func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	m, err := max(x)
	if err != nil {
		return nil, err
	}
	mk, err := b.reshape(m, kept)
	if err != nil {
		return nil, err
	}
	mb, err := b.expand(mk, kept, from)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(x, mb)
	if err != nil {
		return nil, err
	}
	e, err := G.Exp(d)
	if err != nil {
		return nil, err
	}
	s, err := sum(e)
	if err != nil {
		return nil, err
	}
	l, err := G.Log(s)
	if err != nil {
		return nil, err
	}
	return G.Add(m, l)
}

func norm(i, n int) int {
	if i < 0 {
		i += n
	}
	return i
}

// atOffset is the flat offset of x[i, j, ...] (indices on the leading axes of shape, negative
// ones from the end).
func atOffset(shape, ix []int) (int, error) {
	st := strides(shape)
	off := 0
	for k, i := range ix {
		j := norm(i, shape[k])
		if j < 0 || j >= shape[k] {
			return 0, fmt.Errorf("index %d is out of range for axis %d of length %d", i, k, shape[k])
		}
		off += j * st[k]
	}
	return off, nil
}

// at selects x[i, j, ...] on the leading axes.
func (b *builder) at(x *G.Node, shape []int, idx tensor.IntList) (*G.Node, error) {
	ix := idx.Ints()
	if len(ix) > len(shape) {
		return nil, fmt.Errorf("%d indices for %d dimensions", len(ix), len(shape))
	}
	off, err := atOffset(shape, ix)
	if err != nil {
		return nil, err
	}
	rest := shape[len(ix):]
	src := identity(size(rest))
	for i := range src {
		src[i] += off
	}
	return b.gather(x, shape, src, rest)
}

// slice is x[start:stop] along axis (unit step), with Python's normalization and tensor.None
// for an open bound.
func (b *builder) slice(x *G.Node, shape []int, axis, start, stop int) (*G.Node, error) {
	n := shape[axis]
	lo, hi := clampIndex(start, n, 0), clampIndex(stop, n, n)
	if hi < lo {
		hi = lo
	}
	out := append([]int(nil), shape...)
	out[axis] = hi - lo
	if hi-lo == n {
		return x, nil
	}
	if hi == lo {
		return b.constant(out, make([]float64, size(out))), nil
	}
	return b.gather(x, shape, sliceMap(shape, axis, lo, hi), out)
}

// clampIndex normalizes a Python slice bound for a unit step.
func clampIndex(i, n, open int) int {
	switch {
	case i == tensor.None:
		return open
	case i < 0:
		i += n
		if i < 0 {
			return 0
		}
	case i > n:
		return n
	}
	return i
}
