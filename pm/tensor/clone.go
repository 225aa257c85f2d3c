package tensor

// Replace rebuilds the graphs computing outputs with some tensors substituted (Theano's
// clone_replace and givens): every node that depends on a replaced tensor is rebuilt on the
// replacement; the rest of the graph is shared, not copied. A replacement must have a type
// compatible with the tensor it replaces (same dtype kind and number of dimensions), else the
// rebuilt nodes report the mismatch. It panics with *Error like every graph builder. Its cost
// is that of the graph of outputs, however many replacements repl holds: only the ones the
// graph reads are looked at.
func Replace(outputs []*Tensor, repl map[*Tensor]*Tensor) []*Tensor {
	if _, ok := repl[nil]; ok {
		panic(errorf("replace", "nil tensor in replacements"))
	}
	nodes := Toposort(outputs...)
	m := newIDTable[*Tensor](len(nodes))
	get := func(t *Tensor) *Tensor {
		if v, ok := repl[t]; ok {
			if v == nil {
				panic(errorf("replace", "nil tensor in replacements"))
			}
			if t.NDim() != v.NDim() {
				panic(errorf("replace", "cannot replace %s (%s) by a tensor of type %s", t.label(), t.typ, v.typ))
			}
			return v
		}
		if r := m.get(t.idOf()); r != nil {
			return r
		}
		return t
	}
	var buf [4]*Tensor
	for _, n := range nodes {
		changed := false
		ins := buf[:0]
		if len(n.Inputs) > len(buf) {
			ins = make([]*Tensor, 0, len(n.Inputs))
		}
		for _, x := range n.Inputs {
			r := get(x)
			ins = append(ins, r)
			changed = changed || r != x
		}
		if !changed {
			continue
		}
		var outs []*Tensor
		if sameTypes(n.Inputs, ins) {
			// Infer sees only the input types: with the same ones, the node's output types
			// stand. copyNode, like ApplyOp, copies ins (which may be buf).
			outs = copyNode(n, ins).Outputs
		} else {
			outs = ApplyOp(n.Op, ins...)
		}
		for i, o := range n.Outputs {
			if o.name != "" {
				outs[i].name = o.name
			}
			if _, done := repl[o]; !done {
				m.set(o.idOf(), outs[i])
			}
		}
	}
	res := make([]*Tensor, len(outputs))
	for i, o := range outputs {
		res[i] = get(o)
	}
	return res
}

// sameTypes reports whether the tensors a and b, pairwise, have the same dtypes and shapes.
func sameTypes(a, b []*Tensor) bool {
	for i := range a {
		if a[i].typ.DType != b[i].typ.DType || !sameShape(a[i].typ.Shape, b[i].typ.Shape) {
			return false
		}
	}
	return true
}

// Inputs returns the input variables (not constants or shared variables) that outputs depend
// on, in first-use order.
func Inputs(outputs ...*Tensor) []*Tensor {
	var res []*Tensor
	seen := map[*Tensor]bool{}
	add := func(t *Tensor) {
		if t.IsInput() && !seen[t] {
			seen[t] = true
			res = append(res, t)
		}
	}
	for _, o := range outputs {
		add(o)
	}
	for _, n := range Toposort(outputs...) {
		for _, in := range n.Inputs {
			add(in)
		}
	}
	return res
}

// DependsOn reports whether t depends on any of the given tensors.
func DependsOn(t *Tensor, on ...*Tensor) bool {
	set := map[*Tensor]bool{}
	for _, x := range on {
		set[x] = true
	}
	if set[t] {
		return true
	}
	for _, n := range Toposort(t) {
		for _, in := range n.Inputs {
			if set[in] {
				return true
			}
		}
	}
	return false
}
