package gorgonia

import (
	"fmt"
	"strconv"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// builder translates one function graph, for one set of concrete input shapes, into a gorgonia
// expression graph. Tensors are translated on demand from the outputs back, so that outputs of
// multi-output ops that nothing reads (the partials of a likelihood when only its value is
// needed) never become gorgonia nodes: the tape machine runs every node of its graph.
type builder struct {
	g      *G.ExprGraph
	typ    map[*tensor.Tensor]tensor.Type // concrete types
	node   map[*tensor.Tensor]*G.Node
	inputs map[*tensor.Tensor]*G.Node
	nconst int
}

// opError is a translation failure at one node.
type opError struct {
	op, variable, msg string
}

func (e *opError) Error() string {
	return fmt.Sprintf("pm/backend/gorgonia: op %s (computing %s): %s", e.op, e.variable, e.msg)
}

// describe names a tensor for an error: its name, else its expression, shortened.
func describe(t *tensor.Tensor) string {
	if t.Name() != "" {
		return strconv.Quote(t.Name())
	}
	s := tensor.PP(t)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

func shapeOf(t tensor.Type) []int { return append([]int(nil), t.Shape...) }

func size(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// constant is a node holding data with gopm's shape (a scalar constant for shape ()). The data
// is not copied.
func (b *builder) constant(shape []int, data []float64) *G.Node {
	b.nconst++
	name := G.WithName("c" + strconv.Itoa(b.nconst))
	if len(shape) == 0 {
		return G.NewConstant(data[0], name, G.In(b.g))
	}
	// A tensor is an input node bound to the data, not a gorgonia constant: gorgonia identifies
	// constants by a hash of their printed value, which elides long tensors, so two data vectors
	// of one length could be merged into one node.
	v := gt.New(gt.WithShape(shape...), gt.WithBacking(data))
	return G.NewTensor(b.g, G.Float64, len(shape), G.WithShape(shape...), name, G.WithValue(v))
}

func (b *builder) scalarConst(v float64) *G.Node {
	b.nconst++
	return G.NewConstant(v, G.WithName("c"+strconv.Itoa(b.nconst)), G.In(b.g))
}

// get returns t's gorgonia node, translating its owner if needed.
func (b *builder) get(t *tensor.Tensor) (*G.Node, error) {
	if n, ok := b.node[t]; ok {
		return n, nil
	}
	ty := b.typ[t]
	switch {
	case t.IsConstant():
		n := b.constant(shapeOf(ty), t.Value().Data)
		b.node[t] = n
		return n, nil
	case t.Owner() == nil:
		return nil, fmt.Errorf("pm/backend/gorgonia: internal: leaf %s has no node", describe(t))
	}
	ap := t.Owner()
	outs, err := b.apply(ap, t)
	if err != nil {
		if _, ok := err.(*opError); ok {
			return nil, err
		}
		return nil, &opError{op: ap.Op.String(), variable: describe(t), msg: err.Error()}
	}
	n := outs
	b.node[t] = n
	return n, nil
}

// ins translates every input of ap.
func (b *builder) ins(ap *tensor.Apply) ([]*G.Node, error) {
	r := make([]*G.Node, len(ap.Inputs))
	for i, x := range ap.Inputs {
		n, err := b.get(x)
		if err != nil {
			return nil, err
		}
		r[i] = n
	}
	return r, nil
}

// reshape gives n gopm's shape s (a scalar for shape ()), as a copy (see gatherOp).
func (b *builder) reshape(n *G.Node, s []int) (*G.Node, error) {
	from := []int(n.Shape())
	if n.IsScalar() {
		from = nil
	}
	if sameShape(from, s) {
		return n, nil
	}
	if size(from) != size(s) {
		return nil, fmt.Errorf("internal: reshape of %v to %v", from, s)
	}
	return b.gather(n, from, identity(size(s)), s)
}

// expand broadcasts n, of gopm shape from, to gopm shape to (NumPy's rules).
func (b *builder) expand(n *G.Node, from, to []int) (*G.Node, error) {
	if sameShape(from, to) {
		return n, nil
	}
	padded := make([]int, len(to))
	for i := range padded {
		padded[i] = 1
	}
	copy(padded[len(to)-len(from):], from)
	st := strides(padded)
	for k := range st {
		if padded[k] == 1 {
			st[k] = 0
		}
	}
	return b.gather(n, from, enumerate(to, st, 0), to)
}

// operands brings elementwise operands to the output shape out: operands of one element become
// gorgonia scalars when scalarOK (gorgonia's arithmetic mixes scalars and tensors), others are
// broadcast.
func (b *builder) operands(ap *tensor.Apply, ns []*G.Node, out []int, scalarOK bool) ([]*G.Node, error) {
	r := make([]*G.Node, len(ns))
	for i, n := range ns {
		from := b.typ[ap.Inputs[i]].Shape
		var err error
		switch {
		case sameShape(from, out):
			r[i] = n
		case scalarOK && size(from) == 1:
			r[i], err = b.reshape(n, nil)
		default:
			r[i], err = b.expand(n, from, out)
		}
		if err != nil {
			return nil, err
		}
	}
	// gorgonia needs at least one operand with the output's shape.
	if scalarOK && len(out) > 0 {
		full := false
		for _, n := range r {
			full = full || !n.IsScalar()
		}
		if !full {
			var err error
			if r[0], err = b.reshape(r[0], out); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// bin applies a gorgonia binary op over broadcast operands.
func bin(f func(a, b *G.Node) (*G.Node, error), ns []*G.Node) (*G.Node, error) {
	return f(ns[0], ns[1])
}

func (b *builder) where(c, x, y *G.Node) (*G.Node, error) { return G.ApplyOp(whereOp{}, c, x, y) }

// nonzero is 1 where n is not 0, else 0.
func (b *builder) nonzero(n *G.Node) (*G.Node, error) {
	return G.Ne(n, b.zeroLike(n), true)
}

func (b *builder) zeroLike(n *G.Node) *G.Node {
	if n.IsScalar() {
		return b.scalarConst(0)
	}
	s := []int(n.Shape())
	return b.constant(s, make([]float64, size(s)))
}

func (b *builder) oneLike(n *G.Node) *G.Node {
	if n.IsScalar() {
		return b.scalarConst(1)
	}
	s := []int(n.Shape())
	d := make([]float64, size(s))
	for i := range d {
		d[i] = 1
	}
	return b.constant(s, d)
}

// clampAt is where(x > 0, x, 0) (or where(x ≤ 0, x, 0) with !pos, and ≥/< with incl):
// each branch of softplus and sigmoid sees only the arguments it is taken for, so the branch
// not taken neither overflows nor sends a NaN gradient (0·∞) through the select.
func (b *builder) clampAt(x *G.Node, pos, incl bool) (*G.Node, error) {
	var c *G.Node
	var err error
	switch {
	case pos && incl:
		c, err = G.Gte(x, b.zeroLike(x), true)
	case pos:
		c, err = G.Gt(x, b.zeroLike(x), true)
	case incl:
		c, err = G.Lte(x, b.zeroLike(x), true)
	default:
		c, err = G.Lt(x, b.zeroLike(x), true)
	}
	if err != nil {
		return nil, err
	}
	return b.where(c, x, b.zeroLike(x))
}

// softplus is log(1+eˣ): x + log1p(e⁻ˣ) for x > 0, else log1p(eˣ), as gopm's kernel computes it.
// gorgonia's own Softplus returns x for x > 16 and so errs by up to 1e-7.
func (b *builder) softplus(x *G.Node) (*G.Node, error) {
	a, err := b.clampAt(x, true, false)
	if err != nil {
		return nil, err
	}
	e, err := chain(a, G.Neg, G.Exp, G.Log1p)
	if err != nil {
		return nil, err
	}
	pos, err := G.Add(a, e)
	if err != nil {
		return nil, err
	}
	m, err := b.clampAt(x, false, true)
	if err != nil {
		return nil, err
	}
	neg, err := chain(m, G.Exp, G.Log1p)
	if err != nil {
		return nil, err
	}
	c, err := G.Gt(x, b.zeroLike(x), true)
	if err != nil {
		return nil, err
	}
	return b.where(c, pos, neg)
}

// sigmoid is 1/(1+e⁻ˣ) for x ≥ 0 and eˣ/(1+eˣ) below, as gopm's kernel: gorgonia's Sigmoid
// returns 1 for x > 19 (an error of 5e-9).
func (b *builder) sigmoid(x *G.Node) (*G.Node, error) {
	a, err := b.clampAt(x, true, true)
	if err != nil {
		return nil, err
	}
	en, err := chain(a, G.Neg, G.Exp)
	if err != nil {
		return nil, err
	}
	d, err := G.Add(b.oneLike(x), en)
	if err != nil {
		return nil, err
	}
	pos, err := G.HadamardDiv(b.oneLike(x), d)
	if err != nil {
		return nil, err
	}
	m, err := b.clampAt(x, false, false)
	if err != nil {
		return nil, err
	}
	ep, err := G.Exp(m)
	if err != nil {
		return nil, err
	}
	d2, err := G.Add(b.oneLike(x), ep)
	if err != nil {
		return nil, err
	}
	neg, err := G.HadamardDiv(ep, d2)
	if err != nil {
		return nil, err
	}
	c, err := G.Gte(x, b.zeroLike(x), true)
	if err != nil {
		return nil, err
	}
	return b.where(c, pos, neg)
}

// chain applies unary gorgonia functions in order.
func chain(n *G.Node, fs ...func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	var err error
	for _, f := range fs {
		if n, err = f(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

var unary = map[string]func(*G.Node) (*G.Node, error){
	"neg": G.Neg, "floor": floor, "ceil": ceil, "sqr": G.Square, "sqrt": G.Sqrt,
	"exp": G.Exp, "expm1": G.Expm1, "log": G.Log, "log1p": G.Log1p, "tanh": G.Tanh, "sin": G.Sin,
	"cos": G.Cos,
}

var binary = map[string]func(a, b *G.Node) (*G.Node, error){
	"add": G.Add, "sub": G.Sub, "mul": G.HadamardProd, "true_div": G.HadamardDiv, "pow": G.Pow,
}

var compare = map[string]func(a, b *G.Node, same bool) (*G.Node, error){
	"lt": G.Lt, "gt": G.Gt, "le": G.Lte, "ge": G.Gte, "eq": G.Eq, "neq": G.Ne,
}

// elemwise translates an Elemwise node.
func (b *builder) elemwise(ap *tensor.Apply, name string, out []int) (*G.Node, error) {
	raw, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	if f, ok := unary[name]; ok {
		return f(raw[0])
	}
	if f, ok := binary[name]; ok {
		ns, err := b.operands(ap, raw, out, true)
		if err != nil {
			return nil, err
		}
		return bin(f, ns)
	}
	if f, ok := compare[name]; ok {
		ns, err := b.operands(ap, raw, out, false)
		if err != nil {
			return nil, err
		}
		return f(ns[0], ns[1], true)
	}
	full := func() ([]*G.Node, error) { return b.operands(ap, raw, out, false) }
	switch name {
	case "sigmoid":
		return b.sigmoid(raw[0])
	case "softplus":
		return b.softplus(raw[0])
	case "log_sigmoid":
		n, err := G.Neg(raw[0])
		if err != nil {
			return nil, err
		}
		s, err := b.softplus(n)
		if err != nil {
			return nil, err
		}
		return G.Neg(s)
	case "logit": // log(x) − log1p(−x)
		l, err := G.Log(raw[0])
		if err != nil {
			return nil, err
		}
		l1, err := chain(raw[0], G.Neg, G.Log1p)
		if err != nil {
			return nil, err
		}
		return G.Sub(l, l1)
	case "sign": // 1, −1, or x itself at ±0 and NaN, as gopm's
		return sign(raw[0])
	case "abs": // x·sign(x): its derivative is 0 at 0, as gopm's (gorgonia's Abs gives 1 there)
		sg, err := sign(raw[0])
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(raw[0], sg)
	case "cast{float64}":
		return raw[0], nil
	case "cast{int64}": // truncation: sign(x)·floor(|x|)
		x := raw[0]
		a, err := chain(x, G.Abs, floor)
		if err != nil {
			return nil, err
		}
		c, err := G.Gte(x, b.zeroLike(x), true)
		if err != nil {
			return nil, err
		}
		na, err := G.Neg(a)
		if err != nil {
			return nil, err
		}
		return b.where(c, a, na)
	case "maximum", "minimum":
		ns, err := full()
		if err != nil {
			return nil, err
		}
		cmp := G.Gte
		if name == "minimum" {
			cmp = G.Lte
		}
		c, err := cmp(ns[0], ns[1], true)
		if err != nil {
			return nil, err
		}
		return b.where(c, ns[0], ns[1])
	case "clip":
		ns, err := full()
		if err != nil {
			return nil, err
		}
		lo, err := G.Lt(ns[0], ns[1], true)
		if err != nil {
			return nil, err
		}
		m, err := b.where(lo, ns[1], ns[0])
		if err != nil {
			return nil, err
		}
		hi, err := G.Gt(m, ns[2], true)
		if err != nil {
			return nil, err
		}
		return b.where(hi, ns[2], m)
	case "switch":
		ns, err := full()
		if err != nil {
			return nil, err
		}
		c, err := b.nonzero(ns[0])
		if err != nil {
			return nil, err
		}
		return b.where(c, ns[1], ns[2])
	case "fill": // fill(like, v): v broadcast to like's shape
		return b.expand(raw[1], b.typ[ap.Inputs[1]].Shape, out)
	case "and", "or", "xor":
		ns, err := full()
		if err != nil {
			return nil, err
		}
		x, err := b.nonzero(ns[0])
		if err != nil {
			return nil, err
		}
		y, err := b.nonzero(ns[1])
		if err != nil {
			return nil, err
		}
		switch name {
		case "and":
			return G.HadamardProd(x, y)
		case "or":
			s, err := G.Add(x, y)
			if err != nil {
				return nil, err
			}
			return b.nonzero(s)
		}
		return G.Ne(x, y, true)
	case "invert":
		return G.Eq(raw[0], b.zeroLike(raw[0]), true)
	case "int_div", "mod": // floor(a/b); a − b·floor(a/b) (the sign of b, as Python's %)
		ns, err := b.operands(ap, raw, out, true)
		if err != nil {
			return nil, err
		}
		q, err := G.HadamardDiv(ns[0], ns[1])
		if err != nil {
			return nil, err
		}
		fq, err := floor(q)
		if err != nil {
			return nil, err
		}
		if name == "int_div" {
			return fq, nil
		}
		p, err := G.HadamardProd(ns[1], fq)
		if err != nil {
			return nil, err
		}
		return G.Sub(ns[0], p)
	}
	return nil, fmt.Errorf("internal: elementwise %s has no translation", name)
}
