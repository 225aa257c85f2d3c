package tensor

// Toposort returns the nodes computing outputs, every node after the nodes it reads.
// The order is deterministic: it follows the inputs' order depth first.
func Toposort(outputs ...*Tensor) []*Apply { return toposortSized(0, outputs) }

// Grad returns the symbolic gradient of a scalar cost with respect to each of wrt, as new graph
// nodes (so gradients of gradients work). A wrt that the cost does not depend on gets zeros.
// It panics with *Error if cost is not a float scalar (one element) or a wrt is not float.
func Grad(cost *Tensor, wrt ...*Tensor) []*Tensor {
	if cost == nil {
		panic(errorf("grad", "cost is nil"))
	}
	if !cost.DType().IsFloat() {
		panic(errorf("grad", "cost %s has dtype %s; gradients need a float64 cost", cost.label(), cost.DType()))
	}
	if cost.typ.Size() != 1 {
		panic(errorf("grad", "cost %s has shape %s; gradients need a scalar cost (sum it first)", cost.label(), ShapeString(cost.Shape())))
	}
	for i, w := range wrt {
		if w == nil {
			panic(errorf("grad", "wrt[%d] is nil", i))
		}
		if !w.DType().IsFloat() {
			panic(errorf("grad", "cannot differentiate with respect to %s of dtype %s", w.label(), w.DType()))
		}
	}
	return GradWith(cost, ones(cost), wrt...)
}

// vjpCost is the sum over k of sum(ys[k]·gs[k]), over the float ys[k] that have a cotangent
// gs[k]; nil when none has. Its gradient with respect to the tensors ys are computed from is
// the vector-Jacobian product of the cotangents gs: how an op whose outputs some graph also
// computes (GLMOp, the scan gradient, a Scan step) differentiates through that graph.
func vjpCost(ys, gs []*Tensor) *Tensor {
	var cost *Tensor
	for k, y := range ys {
		if gs[k] == nil || !y.DType().IsFloat() {
			continue
		}
		term := Sum(Mul(y, gs[k]))
		if cost == nil {
			cost = term
		} else {
			cost = Add(cost, term)
		}
	}
	return cost
}

// GradWith is reverse-mode differentiation seeded with gcost, the gradient of some outer cost
// with respect to cost (a tensor of cost's shape). It is Grad without the scalar check: Scan and
// user ops use it to push gradients through inner graphs.
func GradWith(cost, gcost *Tensor, wrt ...*Tensor) []*Tensor {
	nodes := Toposort(cost)
	// Tensors that depend on some wrt: only their gradients are needed. Tables are indexed by
	// id (tensors) and by position in nodes.
	dep := newIDTable[bool](len(nodes))
	for _, w := range wrt {
		dep.set(w.idOf(), true)
	}
	relevant := make([]bool, len(nodes))
	for i, n := range nodes {
		for _, in := range n.Inputs {
			if dep.get(in.idOf()) {
				relevant[i] = true
				break
			}
		}
		if relevant[i] {
			for _, o := range n.Outputs {
				dep.set(o.idOf(), true)
			}
		}
	}
	// acc holds the gradient of each tensor, or its first part: the others, which only the
	// tensors read more than once get, wait in more, and total sums them when first read.
	acc := newIDTable[*Tensor](len(nodes))
	more := map[uint64][]*Tensor{}
	acc.set(cost.idOf(), gcost)
	total := func(t *Tensor) *Tensor {
		id := t.idOf()
		first := acc.get(id)
		rest, ok := more[id]
		if !ok {
			return first
		}
		all := mergeIncAts(append([]*Tensor{first}, rest...))
		g := all[0]
		for _, q := range all[1:] {
			g = Add(g, q)
		}
		delete(more, id)
		acc.set(id, g)
		return g
	}
	// Op.Grad may keep gout: each node gets its own, cut from a slab.
	var slab []*Tensor
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		if !relevant[i] {
			continue
		}
		if len(slab) < len(n.Outputs) {
			slab = make([]*Tensor, max(len(n.Outputs), 256))
		}
		gout := slab[:len(n.Outputs):len(n.Outputs)]
		any := false
		for k, o := range n.Outputs {
			gout[k] = total(o)
			if gout[k] != nil {
				any = true
			}
		}
		if !any {
			clear(gout) // left for the next node
			continue
		}
		slab = slab[len(n.Outputs):]
		gin := n.Op.Grad(n.Inputs, n.Outputs, gout)
		for k, in := range n.Inputs {
			if k < len(gin) && gin[k] != nil && in.DType().IsFloat() && dep.get(in.idOf()) {
				if id := in.idOf(); acc.get(id) == nil {
					acc.set(id, gin[k])
				} else {
					more[id] = append(more[id], gin[k])
				}
			}
		}
	}
	res := make([]*Tensor, len(wrt))
	for i, w := range wrt {
		g := total(w)
		if g == nil {
			g = zeros(w)
		} else if g.DType() != Float64 {
			g = Cast(g, Float64)
		}
		res[i] = g
	}
	return res
}
