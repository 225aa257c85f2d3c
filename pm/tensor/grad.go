package tensor

// Toposort returns the nodes computing outputs, every node after the nodes it reads.
// The order is deterministic: it follows the inputs' order depth first.
func Toposort(outputs ...*Tensor) []*Apply {
	var order []*Apply
	state := map[*Apply]uint8{} // 1 visiting, 2 done
	type frame struct {
		n *Apply
		i int
	}
	for _, o := range outputs {
		if o == nil || o.owner == nil || state[o.owner] == 2 {
			continue
		}
		stack := []frame{{o.owner, 0}}
		state[o.owner] = 1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.i < len(top.n.Inputs) {
				in := top.n.Inputs[top.i]
				top.i++
				if in.owner != nil && state[in.owner] == 0 {
					state[in.owner] = 1
					stack = append(stack, frame{in.owner, 0})
				}
				continue
			}
			state[top.n] = 2
			order = append(order, top.n)
			stack = stack[:len(stack)-1]
		}
	}
	return order
}

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

// GradWith is reverse-mode differentiation seeded with gcost, the gradient of some outer cost
// with respect to cost (a tensor of cost's shape). It is Grad without the scalar check: Scan and
// user ops use it to push gradients through inner graphs.
func GradWith(cost, gcost *Tensor, wrt ...*Tensor) []*Tensor {
	nodes := Toposort(cost)
	// Tensors that depend on some wrt: only their gradients are needed.
	dep := map[*Tensor]bool{}
	for _, w := range wrt {
		dep[w] = true
	}
	relevant := map[*Apply]bool{}
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if dep[in] {
				relevant[n] = true
				break
			}
		}
		if relevant[n] {
			for _, o := range n.Outputs {
				dep[o] = true
			}
		}
	}
	acc := map[*Tensor][]*Tensor{cost: {gcost}}
	total := func(t *Tensor) *Tensor {
		parts := acc[t]
		if len(parts) == 0 {
			return nil
		}
		if len(parts) > 1 {
			parts = mergeIncAts(parts)
		}
		g := parts[0]
		for _, p := range parts[1:] {
			g = Add(g, p)
		}
		acc[t] = []*Tensor{g}
		return g
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		if !relevant[n] {
			continue
		}
		gout := make([]*Tensor, len(n.Outputs))
		any := false
		for k, o := range n.Outputs {
			gout[k] = total(o)
			if gout[k] != nil {
				any = true
			}
		}
		if !any {
			continue
		}
		gin := n.Op.Grad(n.Inputs, n.Outputs, gout)
		for k, in := range n.Inputs {
			if k < len(gin) && gin[k] != nil && dep[in] && in.DType().IsFloat() {
				acc[in] = append(acc[in], gin[k])
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
