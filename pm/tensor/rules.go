package tensor

// localRules lists the local rewrites Rewrite applies, in order.
func localRules() []rule {
	return []rule{ruleLog1p}
}

// scalarOf returns the scalar op of an elemwise node computing t, or nil.
func scalarOf(t *Tensor) *scalarOp {
	if t.owner == nil {
		return nil
	}
	if e, ok := t.owner.Op.(Elemwise); ok {
		return e.s
	}
	return nil
}

// isConstValue reports whether t is a constant whose every element equals v.
func isConstValue(t *Tensor, v float64) bool {
	if t.value == nil || t.value.Size() == 0 {
		return false
	}
	for _, x := range t.value.Data {
		if x != v {
			return false
		}
	}
	return true
}

// ruleLog1p: log(1 + x) → log1p(x), and log(x + 1).
func ruleLog1p(op Op, in []*Tensor) *Tensor {
	e, ok := op.(Elemwise)
	if !ok || e.s != opLog {
		return nil
	}
	x := in[0]
	if scalarOf(x) != opAdd {
		return nil
	}
	a, b := x.owner.Inputs[0], x.owner.Inputs[1]
	// Only when the constant does not change the shape by broadcasting.
	if isConstValue(a, 1) && a.value.Size() == 1 && len(a.Shape()) <= len(b.Shape()) {
		return Log1p(b)
	}
	if isConstValue(b, 1) && b.value.Size() == 1 && len(b.Shape()) <= len(a.Shape()) {
		return Log1p(a)
	}
	return nil
}
