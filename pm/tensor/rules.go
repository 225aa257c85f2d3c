package tensor

import (
	"math"
	"reflect"
)

// The local rewrites Rewrite applies. Each rule looks at one node (its op and its already
// rewritten inputs) and returns an equivalent expression or nil. Rules fire bottom up, and a
// rule's result is offered to the rules again, so they compose: log(1 − sigmoid(x)) first becomes
// log(sigmoid(−x)) at the subtraction, then log_sigmoid(−x) at the log; log(1 + exp(x)) becomes
// log1p(exp(x)) and then softplus(x).
//
// The stable forms (after Theano's and PyTensor's rewrites of the same names):
//
//	log(1 + x), log(x + 1)   → log1p(x)
//	log(1 − x)               → log1p(−x)
//	log(sigmoid(x))          → log_sigmoid(x)
//	1 − sigmoid(x)           → sigmoid(−x)          so log(1 − sigmoid(x)) → log_sigmoid(−x)
//	log1p(−sigmoid(x))       → log_sigmoid(−x)
//	log(exp(x))              → x
//	exp(x) − 1, exp(x) + −1  → expm1(x)
//	1 − exp(x)               → −expm1(x)
//	log(−expm1(x))           → log1mexp(x)          so log(1 − exp(x)) → log1mexp(x)
//	log1p(−exp(x))           → log1mexp(x)
//	log1p(exp(x))            → softplus(x)          so log(1 + exp(x)) → softplus(x)
//	log(sum(exp(x), axes))   → logsumexp(x, axes)   (keepdims kept)
//
// Shape rules: a sum over a one-element tensor that keeps its shape and expand_dims of no axes
// are the input itself; fill(x, c) with x's shape known and c constant is a constant; an
// elementwise op reading fill(x, v) reads v instead where broadcasting gives the same result
// type (the gradient's seeds and broadcasts). Then
// switch(c, a, b) with a constant c that is all true or all false → a or b (the bounds checks of
// log-densities on checked data), and the algebraic simplifications x·1, 1·x, x/1, x + 0, 0 + x, x − 0, x**1 → x; −(−x) → x;
// x + (−y) → x − y; (−x) + y → y − x; x − (−y) → x + y; x·x and x**2 → sqr(x).
//
// ruleCancel cancels a factor that appears both above and below a fraction in a product of
// products, quotients and negations, such as (g/s)·(s·t) → g·t. Gradients need it: the gradient
// of log(sigmoid(x)) is built as (g/σ(x))·(σ(x)·(1 − σ(x))), which is 0·∞ = NaN where σ(x)
// underflows; cancelled, it is g·σ(−x), finite everywhere. Like Theano's canonicalizer it treats
// s/s as 1 even where s is 0 or infinite, which is the point.
//
// Every rule is wrapped by typeSafe, which drops a replacement whose dtype or static shape
// differs from the node's (a constant that broadcasts, an int that a float op would have
// converted), so a rule never needs to reason about broadcasting to be correct.

// localRules lists the local rewrites Rewrite applies, in order.
func localRules() []rule {
	rs := []rule{ruleShapeNoop, ruleFillConst, ruleFillOperand, ruleSwitchConst, ruleLog, ruleLog1pOf, ruleAdd, ruleSub, ruleMul, ruleDiv, ruleNeg, rulePow, ruleCancel}
	rs = append(rs, newGLMRule()) // glm.go: a regression's likelihood fused with its predictor
	for i, r := range rs {
		rs[i] = typeSafe(r)
	}
	return rs
}

// typeSafe wraps a rule so that its replacement must have exactly the type (dtype and static
// shape) of the node it replaces; otherwise the node is left alone. A graph-building panic inside
// a rule (a rule that does not apply after all) also leaves the node alone.
func typeSafe(r rule) rule {
	return func(op Op, in []*Tensor) (rep *Tensor) {
		defer func() {
			if e := recover(); e != nil {
				if _, ok := e.(*Error); !ok {
					panic(e)
				}
				rep = nil
			}
		}()
		rep = r(op, in)
		if rep == nil {
			return nil
		}
		ts := make([]Type, len(in))
		for i, x := range in {
			ts[i] = x.typ
		}
		want, err := op.Infer(ts)
		if err != nil || len(want) != 1 || want[0].DType != rep.typ.DType || !sameShape(want[0].Shape, rep.typ.Shape) {
			return nil
		}
		return rep
	}
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

// elemOp returns the scalar op of an elemwise op, or nil.
func elemOp(op Op) *scalarOp {
	if e, ok := op.(Elemwise); ok {
		return e.s
	}
	return nil
}

// arg returns the i-th input of the node computing t (t must have an owner).
func arg(t *Tensor, i int) *Tensor { return t.owner.Inputs[i] }

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

// isScalarConst reports whether t is a one-element constant equal to v. Larger constants would
// broadcast the other operand; typeSafe would catch that too, but the check is cheaper here.
func isScalarConst(t *Tensor, v float64) bool {
	return t.value != nil && t.value.Size() == 1 && isConstValue(t, v)
}

// ruleLog rewrites log(·) of the forms that have a stable counterpart.
func ruleLog(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opLog {
		return nil
	}
	x := in[0]
	if x.owner != nil {
		// log(sum(exp(y))) over any axes → logsumexp(y) over the same axes.
		if so, ok := x.owner.Op.(SumOp); ok && scalarOf(arg(x, 0)) == opExp {
			return Apply1(ReduceOp{Kind: ReduceLogSumExp, Axes: so.Axes, KeepDims: so.KeepDims}, arg(arg(x, 0), 0))
		}
	}
	switch scalarOf(x) {
	case opAdd: // log(1 + y), log(y + 1)
		a, b := arg(x, 0), arg(x, 1)
		if isScalarConst(a, 1) {
			return Log1p(b)
		}
		if isScalarConst(b, 1) {
			return Log1p(a)
		}
	case opSub: // log(1 − y)
		if isScalarConst(arg(x, 0), 1) {
			return Log1p(Neg(arg(x, 1)))
		}
	case opSigmoid:
		return LogSigmoid(arg(x, 0))
	case opExp:
		return Cast(arg(x, 0), Float64)
	case opNeg: // log(−expm1(y)) = log(1 − exp(y))
		if y := arg(x, 0); scalarOf(y) == opExpm1 {
			return Log1mexp(arg(y, 0))
		}
	}
	return nil
}

// ruleLog1pOf rewrites log1p(·) of exponentials and sigmoids.
func ruleLog1pOf(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opLog1p {
		return nil
	}
	x := in[0]
	switch scalarOf(x) {
	case opExp:
		return Softplus(arg(x, 0))
	case opNeg:
		y := arg(x, 0)
		switch scalarOf(y) {
		case opExp:
			return Log1mexp(arg(y, 0))
		case opSigmoid:
			return LogSigmoid(Neg(arg(y, 0)))
		}
	}
	return nil
}

// ruleAdd: x + 0, 0 + x → x; exp(x) + −1 → expm1(x); x + (−y) → x − y; (−x) + y → y − x.
func ruleAdd(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opAdd {
		return nil
	}
	a, b := in[0], in[1]
	switch {
	case isScalarConst(b, 0):
		return a
	case isScalarConst(a, 0):
		return b
	case isScalarConst(b, -1) && scalarOf(a) == opExp:
		return Expm1(arg(a, 0))
	case isScalarConst(a, -1) && scalarOf(b) == opExp:
		return Expm1(arg(b, 0))
	case scalarOf(b) == opNeg:
		return Sub(a, arg(b, 0))
	case scalarOf(a) == opNeg:
		return Sub(b, arg(a, 0))
	}
	return nil
}

// ruleSub: x − 0 → x; exp(x) − 1 → expm1(x); 1 − exp(x) → −expm1(x); 1 − sigmoid(x) →
// sigmoid(−x); x − (−y) → x + y.
func ruleSub(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opSub {
		return nil
	}
	a, b := in[0], in[1]
	switch {
	case isScalarConst(b, 0):
		return a
	case isScalarConst(b, 1) && scalarOf(a) == opExp:
		return Expm1(arg(a, 0))
	case isScalarConst(a, 1) && scalarOf(b) == opExp:
		return Neg(Expm1(arg(b, 0)))
	case isScalarConst(a, 1) && scalarOf(b) == opSigmoid:
		return Sigmoid(Neg(arg(b, 0)))
	case scalarOf(b) == opNeg:
		return Add(a, arg(b, 0))
	}
	return nil
}

// ruleMul: x·1, 1·x → x; x·x → sqr(x).
func ruleMul(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opMul {
		return nil
	}
	a, b := in[0], in[1]
	// A constant of ones of any size (a folded gradient seed) is the identity too; typeSafe
	// keeps the rewrite only where the other operand already has the result's shape.
	switch {
	case isConstValue(b, 1):
		return a
	case isConstValue(a, 1):
		return b
	case a == b:
		return Square(a)
	}
	return nil
}

// ruleDiv: x/1 → x (for float x; typeSafe keeps the float result of an int x).
func ruleDiv(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opDiv || !isScalarConst(in[1], 1) {
		return nil
	}
	return in[0]
}

// ruleNeg: −(−x) → x.
func ruleNeg(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opNeg || scalarOf(in[0]) != opNeg {
		return nil
	}
	return arg(in[0], 0)
}

// rulePow: x**1 → x; x**2 → sqr(x) (one rounding instead of Pow's general algorithm, and a
// simpler gradient).
func rulePow(op Op, in []*Tensor) *Tensor {
	if elemOp(op) != opPow {
		return nil
	}
	switch {
	case isScalarConst(in[1], 1):
		return in[0]
	case isScalarConst(in[1], 2):
		return Square(in[0])
	}
	return nil
}

// ruleCancel cancels factors that appear in both the numerator and the denominator of a product
// of float64 products, quotients and negations (see the file comment).
func ruleCancel(op Op, in []*Tensor) *Tensor {
	s := elemOp(op)
	if s != opMul && s != opDiv {
		return nil
	}
	var f cancelFactors
	for i, x := range in {
		f.collect(x, s == opDiv && i == 1, 6)
	}
	cancelled := false
	for i := 0; i < len(f.num); i++ {
		for j := range f.den {
			if sameExpr(f.num[i], f.den[j], 6) {
				f.num = append(f.num[:i], f.num[i+1:]...)
				f.den = append(f.den[:j], f.den[j+1:]...)
				cancelled = true
				i--
				break
			}
		}
	}
	if !cancelled {
		return nil
	}
	var r *Tensor
	for _, x := range f.num {
		if r == nil {
			r = x
		} else {
			r = Mul(r, x)
		}
	}
	if r == nil {
		r = ConstOf(Float64, 1)
	}
	for _, x := range f.den {
		r = Div(r, x)
	}
	if f.neg {
		r = Neg(r)
	}
	return r
}

// cancelFactors is a product flattened into its sign, numerator and denominator factors.
type cancelFactors struct {
	neg      bool
	num, den []*Tensor
}

// collect adds the factors of t (in the denominator if den) down to the given depth. Only float64
// nodes are opened, so integer division and bool negation keep their meaning.
func (f *cancelFactors) collect(t *Tensor, den bool, depth int) {
	s := scalarOf(t)
	if depth > 0 && t.DType() == Float64 {
		switch s {
		case opMul:
			f.collect(arg(t, 0), den, depth-1)
			f.collect(arg(t, 1), den, depth-1)
			return
		case opDiv:
			f.collect(arg(t, 0), den, depth-1)
			f.collect(arg(t, 1), !den, depth-1)
			return
		case opNeg:
			f.neg = !f.neg
			f.collect(arg(t, 0), den, depth-1)
			return
		}
	}
	if den {
		f.den = append(f.den, t)
	} else {
		f.num = append(f.num, t)
	}
}

// sameExpr reports whether a and b compute the same value: the same tensor, equal constants, or
// outputs of equal deterministic ops on inputs that are the same expressions (down to depth).
// Rules build fresh nodes that common-subexpression elimination has not merged yet, so pointer
// equality alone would miss them.
func sameExpr(a, b *Tensor, depth int) bool {
	if a == b {
		return true
	}
	if a.typ.DType != b.typ.DType || !sameShape(a.typ.Shape, b.typ.Shape) {
		return false
	}
	if a.value != nil && b.value != nil {
		return sameShape(a.value.Shape, b.value.Shape) && equalData(a.value.Data, b.value.Data)
	}
	if depth == 0 || a.owner == nil || b.owner == nil || a.index != b.index {
		return false
	}
	na, nb := a.owner, b.owner
	if reflect.TypeOf(na.Op) != reflect.TypeOf(nb.Op) || !reflect.TypeOf(na.Op).Comparable() || na.Op != nb.Op ||
		isStateful(na.Op) || len(na.Inputs) != len(nb.Inputs) {
		return false
	}
	for i := range na.Inputs {
		if !sameExpr(na.Inputs[i], nb.Inputs[i], depth-1) {
			return false
		}
	}
	return true
}

func equalData(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// ruleSwitchConst: switch(c, a, b) → a when the constant condition is true everywhere, → b
// when false everywhere. Log-densities guard their support with switches whose conditions
// depend only on data; once the data are checked, the guard costs a pass per evaluation.
func ruleSwitchConst(op Op, in []*Tensor) *Tensor {
	e, ok := op.(Elemwise)
	if !ok || e.s != opSwitch || in[0].value == nil || in[0].value.Size() == 0 {
		return nil
	}
	all, none := true, true
	for _, v := range in[0].value.Data {
		if v != 0 {
			none = false
		} else {
			all = false
		}
	}
	switch {
	case all:
		return in[1]
	case none:
		return in[2]
	}
	return nil
}

// ruleShapeNoop removes sums and expansions that do not change anything.
func ruleShapeNoop(op Op, in []*Tensor) *Tensor {
	switch o := op.(type) {
	case SumOp:
		t := in[0].typ
		if t.Size() == 1 && (o.KeepDims || len(t.Shape) == 0) {
			return in[0]
		}
	case ExpandOp:
		if o.Axes == 0 {
			return in[0]
		}
	}
	return nil
}

// ruleFillConst: fill(x, c) with x's static shape known and c a constant scalar is a constant.
func ruleFillConst(op Op, in []*Tensor) *Tensor {
	e, ok := op.(Elemwise)
	if !ok || e.s != opFill || !in[0].typ.Known() || in[1].value == nil || in[1].value.Size() != 1 {
		return nil
	}
	shape, err := broadcastShapes("fill", []Type{in[0].typ, in[1].typ})
	if err != nil {
		return nil
	}
	a := NewArray(in[1].value.DType, shape...)
	for i := range a.Data {
		a.Data[i] = in[1].value.Data[0]
	}
	return constArray(a)
}

// ruleFillOperand: op(..., fill(x, v), ...) → op(..., v, ...) for elementwise ops, when the
// other operands already give the result its shape (typeSafe checks that the type is unchanged).
func ruleFillOperand(op Op, in []*Tensor) *Tensor {
	e, ok := op.(Elemwise)
	if !ok || e.s == opFill {
		return nil
	}
	changed := false
	ins := make([]*Tensor, len(in))
	for i, x := range in {
		ins[i] = x
		if scalarOf(x) == opFill {
			ins[i] = x.owner.Inputs[1]
			changed = true
		}
	}
	if !changed {
		return nil
	}
	out := Apply1(e, ins...)
	want, err := e.Infer(types(in))
	if err != nil || !sameShape(out.typ.Shape, want[0].Shape) || out.typ.DType != want[0].DType {
		return nil
	}
	return out
}

func types(ts []*Tensor) []Type {
	out := make([]Type, len(ts))
	for i, t := range ts {
		out[i] = t.typ
	}
	return out
}
