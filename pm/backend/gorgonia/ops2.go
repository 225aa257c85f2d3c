package gorgonia

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// inc translates inc_subtensor (x plus the scatter of y into the sub-tensor) and set_subtensor
// (a gather from x and y side by side).
func (b *builder) inc(ap *tensor.Apply, o tensor.IncOp, out []int) (*G.Node, error) {
	ns, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	x, y := ns[0], ns[1]
	xs, ys := b.typ[ap.Inputs[0]].Shape, b.typ[ap.Inputs[1]].Shape
	var pos, sub []int
	if o.Sub == tensor.SubAt {
		ix := o.Idx.Ints()
		off, err := atOffset(xs, ix)
		if err != nil {
			return nil, err
		}
		sub = xs[len(ix):]
		pos = identity(size(sub))
		for i := range pos {
			pos[i] += off
		}
	} else {
		n := xs[o.Axis]
		lo, hi := clampIndex(o.Start, n, 0), clampIndex(o.Stop, n, n)
		if hi < lo {
			hi = lo
		}
		sub = append([]int(nil), xs...)
		sub[o.Axis] = hi - lo
		pos = sliceMap(xs, o.Axis, lo, hi)
	}
	if len(pos) == 0 {
		return x, nil
	}
	yy, err := b.expand(y, ys, sub)
	if err != nil {
		return nil, err
	}
	if !o.Set {
		s, err := b.scatter(yy, sub, pos, xs)
		if err != nil {
			return nil, err
		}
		return G.Add(x, s)
	}
	fx, err := b.reshape(x, []int{size(xs)})
	if err != nil {
		return nil, err
	}
	fy, err := b.reshape(yy, []int{len(pos)})
	if err != nil {
		return nil, err
	}
	both, err := b.concat(0, []*G.Node{fx, fy}, [][]int{{size(xs)}, {len(pos)}})
	if err != nil {
		return nil, err
	}
	src := identity(size(xs))
	for i, p := range pos {
		src[p] = size(xs) + i
	}
	return b.gather(both, []int{size(xs) + len(pos)}, src, xs)
}

// dot translates NumPy's dot of 1-d and 2-d operands, with transposed matrices on request.
func (b *builder) dot(ap *tensor.Apply, o tensor.DotOp) (*G.Node, error) {
	ns, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	a, c := ns[0], ns[1]
	if o.TransA {
		if a, err = b.transposed(ap.Inputs[0], a); err != nil {
			return nil, err
		}
	}
	if o.TransB {
		if c, err = b.transposed(ap.Inputs[1], c); err != nil {
			return nil, err
		}
	}
	if a.Dims() == 1 && c.Dims() == 2 { // v·M = Mᵀv
		if c, err = G.Transpose(c); err != nil {
			return nil, err
		}
		return G.Mul(c, a)
	}
	return G.Mul(a, c)
}

// transposed is the transpose of the matrix t (translated as n): data is transposed once, here,
// since gorgonia's Transpose copies element by element at every call (most of the gradient's
// time on logistic_big's 5000×25 design matrix).
func (b *builder) transposed(t *tensor.Tensor, n *G.Node) (*G.Node, error) {
	if !t.IsConstant() {
		return G.Transpose(n)
	}
	s := b.typ[t].Shape
	d := t.Value().Data
	r := make([]float64, len(d))
	for i := 0; i < s[0]; i++ {
		for j := 0; j < s[1]; j++ {
			r[j*s[0]+i] = d[i*s[1]+j]
		}
	}
	return b.constant([]int{s[1], s[0]}, r), nil
}

// indices reads the positions of a take: they must be a constant (data), since gorgonia's
// ByIndices takes integer indices and gopm stores them as float64.
func (b *builder) indices(t *tensor.Tensor, n int) ([]int, error) {
	if !t.IsConstant() {
		return nil, fmt.Errorf("the positions %s are computed; the gorgonia backend translates positions given as data only", describe(t))
	}
	d := t.Value().Data
	r := make([]int, len(d))
	for i, v := range d {
		k := int(v)
		if k < 0 {
			k += n
		}
		if k < 0 || k >= n {
			return nil, fmt.Errorf("position %v is out of range for an axis of length %d", v, n)
		}
		r[i] = k
	}
	return r, nil
}

// takeMap is the flat positions in x of take(x, idx) along axis, in the result's order.
func takeMap(xs []int, axis int, idx []int) []int {
	outer, inner := size(xs[:axis]), size(xs[axis+1:])
	r := make([]int, 0, outer*len(idx)*inner)
	for o := 0; o < outer; o++ {
		for _, i := range idx {
			base := (o*xs[axis] + i) * inner
			for k := 0; k < inner; k++ {
				r = append(r, base+k)
			}
		}
	}
	return r
}

// take translates a gather along an axis.
func (b *builder) take(ap *tensor.Apply, o tensor.TakeOp, out []int) (*G.Node, error) {
	xs := b.typ[ap.Inputs[0]].Shape
	idx, err := b.indices(ap.Inputs[1], xs[o.Axis])
	if err != nil {
		return nil, err
	}
	x, err := b.get(ap.Inputs[0])
	if err != nil {
		return nil, err
	}
	return b.gather(x, xs, takeMap(xs, o.Axis, idx), out)
}

// incAts translates a scatter-add of many values (the merged gradient of many At): the values,
// flattened and concatenated, scattered to their positions in one scatter, which adds in order
// as gopm's kernel does.
func (b *builder) incAts(ap *tensor.Apply, o tensor.IncAtsOp, out []int) (*G.Node, error) {
	xs := b.typ[ap.Inputs[0]].Shape
	blk := size(xs[o.Depth:])
	var pos []int
	var flat []*G.Node
	var shapes [][]int
	for j, idx := range o.Entries() {
		off, err := atOffset(xs, idx)
		if err != nil {
			return nil, err
		}
		for t := 0; t < blk; t++ {
			pos = append(pos, off+t)
		}
		n, err := b.get(ap.Inputs[j+1])
		if err != nil {
			return nil, err
		}
		if n, err = b.reshape(n, []int{blk}); err != nil {
			return nil, err
		}
		flat = append(flat, n)
		shapes = append(shapes, []int{blk})
	}
	if len(flat) == 0 {
		return b.constant(out, make([]float64, size(out))), nil
	}
	all, err := b.concat(0, flat, shapes)
	if err != nil {
		return nil, err
	}
	return b.scatter(all, []int{len(pos)}, pos, xs)
}

// pack translates a vector of scalars: each made a one-element vector, concatenated.
func (b *builder) pack(ap *tensor.Apply) (*G.Node, error) {
	ns, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	shapes := make([][]int, len(ns))
	for i := range ns {
		if ns[i], err = b.reshape(ns[i], []int{1}); err != nil {
			return nil, err
		}
		shapes[i] = []int{1}
	}
	return b.concat(0, ns, shapes)
}

// takeInc translates inc_take (the gradient of take): x plus y scattered to the positions.
func (b *builder) takeInc(ap *tensor.Apply, o tensor.TakeIncOp, out []int) (*G.Node, error) {
	xs := b.typ[ap.Inputs[0]].Shape
	idx, err := b.indices(ap.Inputs[1], xs[o.Take.Axis])
	if err != nil {
		return nil, err
	}
	ns, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	// y has the shape of take(x, idx); broadcast it there first.
	ts := append(append(append([]int(nil), xs[:o.Take.Axis]...), b.typ[ap.Inputs[1]].Shape...), xs[o.Take.Axis+1:]...)
	y, err := b.expand(ns[2], b.typ[ap.Inputs[2]].Shape, ts)
	if err != nil {
		return nil, err
	}
	s, err := b.scatter(y, ts, takeMap(xs, o.Take.Axis, idx), xs)
	if err != nil {
		return nil, err
	}
	return G.Add(ns[0], s)
}

// cumsum translates a cumulative sum along an axis of a vector or matrix as a product with a
// triangular matrix of ones.
func (b *builder) cumsum(ap *tensor.Apply, o tensor.CumOp, out []int) (*G.Node, error) {
	if len(out) > 2 || len(out) == 0 {
		return nil, fmt.Errorf("only vectors and matrices are translated")
	}
	x, err := b.get(ap.Inputs[0])
	if err != nil {
		return nil, err
	}
	n := out[o.Axis]
	l := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if (!o.Reverse && j <= i) || (o.Reverse && j >= i) {
				if o.Axis == 0 {
					l[i*n+j] = 1 // y = L·x
				} else {
					l[j*n+i] = 1 // y = x·Lᵀ
				}
			}
		}
	}
	c := b.constant([]int{n, n}, l)
	if o.Axis == 0 {
		return G.Mul(c, x)
	}
	return G.Mul(x, c)
}

const halfLog2Pi = 0.91893853320467274178032973640561764

// likelihood expands a fused likelihood into gorgonia's elementwise ops: output k of
// normal_lpdf(x, μ, σ) (log-density, then ∂/∂μ and ∂/∂σ), bernoulli_logit_lpmf(y, η) and
// poisson_log_lpmf(y, η) (log-mass, then ∂/∂η); summed is the likelihood-sum form, whose
// output 0 is the sum.
func (b *builder) likelihood(ap *tensor.Apply, kind string, k int, out []int, summed bool, folded func(int) (bool, bool)) (*G.Node, error) {
	full := out
	sumK, negK := folded(k)
	if summed && k == 0 || sumK {
		var err error
		if full, err = b.broadcastShape(ap); err != nil {
			return nil, err
		}
	}
	raw, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	ns, err := b.operands(ap, raw, full, true)
	if err != nil {
		return nil, err
	}
	var r *G.Node
	switch kind {
	case "normal_lpdf":
		r, err = b.normal(ns, k)
	case "bernoulli_logit_lpmf":
		r, err = b.bernoulliLogit(ns, k)
	case "poisson_log_lpmf":
		r, err = b.poissonLog(ap, ns, k, full)
	default:
		return nil, fmt.Errorf("internal: likelihood %s", kind)
	}
	if err != nil {
		return nil, err
	}
	// Operands of one element give a scalar result; bring it to the full shape.
	if r, err = b.reshape(r, full); err != nil {
		return nil, err
	}
	if negK {
		return G.Neg(r)
	}
	if summed && k == 0 || sumK {
		if len(full) > 0 {
			if r, err = G.Sum(r); err != nil {
				return nil, err
			}
		}
		return b.reshape(r, nil)
	}
	return r, nil
}

func (b *builder) broadcastShape(ap *tensor.Apply) ([]int, error) {
	n := 0
	for _, x := range ap.Inputs {
		if d := len(b.typ[x].Shape); d > n {
			n = d
		}
	}
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	for _, x := range ap.Inputs {
		xs := b.typ[x].Shape
		for j, d := range xs {
			p := n - len(xs) + j
			if d != 1 {
				s[p] = d
			}
		}
	}
	return s, nil
}

// normal: z = (x−μ)/σ; log-density −z²/2 − log σ − log(2π)/2; ∂/∂μ = z/σ; ∂/∂σ = (z²−1)/σ.
func (b *builder) normal(ns []*G.Node, k int) (*G.Node, error) {
	x, mu, s := ns[0], ns[1], ns[2]
	d, err := G.Sub(x, mu)
	if err != nil {
		return nil, err
	}
	z, err := G.HadamardDiv(d, s)
	if err != nil {
		return nil, err
	}
	switch k {
	case 1:
		return G.HadamardDiv(z, s)
	case 2:
		z2, err := G.Square(z)
		if err != nil {
			return nil, err
		}
		m, err := G.Sub(z2, b.scalarConst(1))
		if err != nil {
			return nil, err
		}
		return G.HadamardDiv(m, s)
	}
	z2, err := G.Square(z)
	if err != nil {
		return nil, err
	}
	h, err := G.HadamardProd(z2, b.scalarConst(-0.5))
	if err != nil {
		return nil, err
	}
	ls, err := G.Log(s)
	if err != nil {
		return nil, err
	}
	c, err := G.Add(ls, b.scalarConst(halfLog2Pi))
	if err != nil {
		return nil, err
	}
	return G.Sub(h, c)
}

// bernoulliLogit: log-mass y·η − softplus(η); ∂/∂η = y − sigmoid(η).
func (b *builder) bernoulliLogit(ns []*G.Node, k int) (*G.Node, error) {
	y, eta := ns[0], ns[1]
	if k == 1 {
		s, err := b.sigmoid(eta)
		if err != nil {
			return nil, err
		}
		return G.Sub(y, s)
	}
	ye, err := G.HadamardProd(y, eta)
	if err != nil {
		return nil, err
	}
	sp, err := b.softplus(eta)
	if err != nil {
		return nil, err
	}
	return G.Sub(ye, sp)
}

// poissonLog: log-mass y·η − eη − log y!; ∂/∂η = y − eη. The counts must be data, since
// gorgonia has no log-gamma function: log y! is then a constant.
func (b *builder) poissonLog(ap *tensor.Apply, ns []*G.Node, k int, full []int) (*G.Node, error) {
	y, eta := ns[0], ns[1]
	e, err := G.Exp(eta)
	if err != nil {
		return nil, err
	}
	if k == 1 {
		return G.Sub(y, e)
	}
	yc := ap.Inputs[0]
	if !yc.IsConstant() {
		return nil, fmt.Errorf("the counts %s are computed; log y! needs gorgonia's missing log-gamma unless they are data", describe(yc))
	}
	ye, err := G.HadamardProd(y, eta)
	if err != nil {
		return nil, err
	}
	r, err := G.Sub(ye, e)
	if err != nil {
		return nil, err
	}
	d := yc.Value().Data
	lf := make([]float64, len(d))
	for i, v := range d {
		lf[i], _ = math.Lgamma(v + 1)
	}
	c := b.constant(shapeOf(b.typ[yc]), lf)
	if cs := b.typ[yc].Shape; !sameShape(cs, full) {
		if c, err = b.expand(c, cs, full); err != nil {
			return nil, err
		}
	}
	if r.IsScalar() && !c.IsScalar() {
		if r, err = b.reshape(r, full); err != nil {
			return nil, err
		}
	}
	return G.Sub(r, c)
}

// recurrence unrolls y[0] = c[0], y[t] = c[t] + φ·y[t−1] (or the reverse recurrence) into
// gorgonia nodes, one slice, multiply and add per step: gorgonia has no loop op.
func (b *builder) recurrence(ap *tensor.Apply, reverse bool, out []int) (*G.Node, error) {
	ns, err := b.ins(ap)
	if err != nil {
		return nil, err
	}
	c, phi := ns[0], ns[1]
	if phi, err = b.reshape(phi, nil); err != nil {
		return nil, err
	}
	n := out[0]
	if n == 0 {
		return c, nil
	}
	row := out[1:]
	ys := make([]*G.Node, n)
	first, last, step := 0, n, 1
	if reverse {
		first, last, step = n-1, -1, -1
	}
	var prev *G.Node
	for t := first; t != last; t += step {
		ct, err := b.at(c, out, tensor.MakeIntList([]int{t}))
		if err != nil {
			return nil, err
		}
		y := ct
		if prev != nil {
			p, err := G.HadamardProd(phi, prev)
			if err != nil {
				return nil, err
			}
			if y, err = G.Add(ct, p); err != nil {
				return nil, err
			}
		}
		prev = y
		if ys[t], err = b.reshape(y, append([]int{1}, row...)); err != nil {
			return nil, err
		}
	}
	if n == 1 {
		return ys[0], nil
	}
	shapes := make([][]int, n)
	for i := range shapes {
		shapes[i] = append([]int{1}, row...)
	}
	return b.concat(0, ys, shapes)
}
