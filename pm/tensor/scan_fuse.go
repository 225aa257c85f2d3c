package tensor

// Affine fusion. A chain of column instructions that only add, subtract, negate and scale by
// static registers, such as ARMA's y_t − (μ + φ·y_{t−1}), costs one pass over the steps per
// instruction forward and about as many backward, each writing a column that only the next
// instruction reads. fuseAffine folds such a chain into one smLin instruction, a sum of terms
// ±c·x (c a static register or 1, x a column or a static register): one pass forward and, in the
// reverse sweep, one pass per column that wants an adjoint plus one dot product per wanted
// coefficient. Only a column that exactly one instruction reads is folded into that reader; the
// readers fused are affine in it, so no one needs the folded column's value.

// smTerm is one term of an smLin instruction: ±coef·x, coef == opnd{} meaning 1.
type smTerm struct {
	x, coef opnd
	neg     bool
	// The reverse sweep skips the adjoint of x or of coef when it leads to no wanted gradient.
	skipX, skipC bool
}

// weight is the term's factor ±coef.
func (t *smTerm) weight(buf []float64) float64 {
	w := 1.0
	if t.coef != (opnd{}) {
		w = buf[t.coef.off]
	}
	if t.neg {
		return -w
	}
	return w
}

// fuseAffine rewrites the pre and post phases (see the top of this file).
func (m *scanMachine) fuseAffine() {
	uses := map[int]int{}
	use := func(o opnd) {
		if o != (opnd{}) {
			uses[o.off]++
		}
	}
	for _, ph := range [][]smExec{m.static, m.pre, m.core, m.post} {
		for i := range ph {
			x := &ph[i]
			use(x.a)
			use(x.b)
			use(x.c)
			for _, o := range x.args {
				use(o)
			}
		}
	}
	if l := m.lin; l != nil {
		for q := range l.cin {
			uses[l.cin[q]] += 2
			use(l.cout[q])
			if l.hasOff[q] {
				use(l.off[q])
			}
		}
		for _, t := range l.terms {
			use(t.c)
		}
	}
	for _, l := range append(append([][]opnd(nil), m.carryOut...), m.outs...) {
		for _, o := range l {
			uses[o.off] += 2 // read from outside: never folded
		}
	}
	m.pre = fusePhase(m.pre, uses)
	m.post = fusePhase(m.post, uses)
}

// fusePhase fuses the affine chains of one phase.
func fusePhase(ph []smExec, uses map[int]int) []smExec {
	forms := map[int][]smTerm{} // per column: its affine form over the phase's earlier values
	def := map[int]int{}        // per column: the instruction computing it
	dead := make([]bool, len(ph))
	fused := make([]bool, len(ph))
	for i := range ph {
		x := &ph[i]
		var inl []int
		get := func(o opnd) []smTerm {
			if f, ok := forms[o.off]; ok && o.st == 1 && uses[o.off] == 1 {
				inl = append(inl, def[o.off])
				return f
			}
			return []smTerm{{x: o}}
		}
		neg := func(f []smTerm) []smTerm {
			r := make([]smTerm, len(f))
			for k, t := range f {
				t.neg = !t.neg
				r[k] = t
			}
			return r
		}
		var f []smTerm
		switch x.code {
		case smAdd:
			f = append(append([]smTerm(nil), get(x.a)...), get(x.b)...)
		case smSub:
			f = append(append([]smTerm(nil), get(x.a)...), neg(get(x.b))...)
		case smNeg:
			f = neg(get(x.a))
		case smMul:
			v, c := x.a, x.b
			if v.st == 0 {
				v, c = c, v
			}
			if v.st == 0 || c.st != 0 {
				break // static × static does not occur here; column × column is not affine
			}
			fv := get(v)
			for _, t := range fv {
				if t.coef != (opnd{}) {
					fv, inl = []smTerm{{x: v}}, inl[:0]
					break
				}
			}
			f = make([]smTerm, len(fv))
			for k, t := range fv {
				t.coef = c
				f[k] = t
			}
		}
		if f == nil {
			continue
		}
		forms[x.d.off] = f
		def[x.d.off] = i
		if len(inl) > 0 {
			for _, k := range inl {
				dead[k] = true
			}
			fused[i] = true
		}
	}
	var out []smExec
	for i, x := range ph {
		if dead[i] {
			continue
		}
		if fused[i] {
			x = smExec{code: smLin, d: x.d, lt: forms[x.d.off]}
		}
		out = append(out, x)
	}
	return out
}

// runLin evaluates an smLin instruction at steps s0..s1−1.
func (x *smExec) runLin(buf []float64, s0, s1 int) {
	k := 0.0 // the static terms' sum
	nc := 0
	for i := range x.lt {
		t := &x.lt[i]
		if t.x.st == 0 {
			k += t.weight(buf) * buf[t.x.off]
		} else {
			nc++
		}
	}
	d := x.d
	if d.st != 1 {
		for s := s0; s < s1; s++ {
			v := k
			for i := range x.lt {
				t := &x.lt[i]
				v += t.weight(buf) * buf[t.x.off+s*t.x.st]
			}
			buf[d.off+s*d.st] = v
		}
		return
	}
	n := s1 - s0
	dst := buf[d.off+s0 : d.off+s1]
	var cols [3][]float64
	var ws [3]float64
	j := 0
	for i := range x.lt {
		t := &x.lt[i]
		if t.x.st == 0 {
			continue
		}
		if j < 3 && nc <= 3 {
			cols[j], ws[j] = buf[t.x.off+s0:t.x.off+s0+n], t.weight(buf)
		}
		j++
	}
	switch nc {
	case 1:
		a, wa := cols[0], ws[0]
		for i := range dst {
			dst[i] = k + wa*a[i]
		}
		return
	case 2:
		a, b, wa, wb := cols[0], cols[1], ws[0], ws[1]
		for i := range dst {
			dst[i] = k + wa*a[i] + wb*b[i]
		}
		return
	case 3:
		a, b, c, wa, wb, wc := cols[0], cols[1], cols[2], ws[0], ws[1], ws[2]
		for i := range dst {
			dst[i] = k + wa*a[i] + wb*b[i] + wc*c[i]
		}
		return
	}
	for i := range dst {
		dst[i] = k
	}
	for i := range x.lt {
		t := &x.lt[i]
		if t.x.st == 0 {
			continue
		}
		a, w := buf[t.x.off+s0:t.x.off+s0+n], t.weight(buf)
		for i := range dst {
			dst[i] += w * a[i]
		}
	}
}

// backLin propagates the adjoint of an smLin instruction at steps s0..s1−1: one pass for the
// sums (Σ g, and Σ g·x per wanted coefficient of a column, up to four in one pass), one per
// column that wants an adjoint.
func (x *smExec) backLin(buf, adj []float64, s0, s1 int) {
	d := x.d
	if d.st != 1 {
		x.backLinSlow(buf, adj, s0, s1)
		return
	}
	n := s1 - s0
	g := adj[d.off+s0 : d.off+s1]
	// The reductions: which are wanted.
	wantSum := false
	var dotCols [4][]float64
	var dotTerm [4]int
	nd := 0
	for i := range x.lt {
		t := &x.lt[i]
		switch {
		case t.x.st == 0 && (!t.skipX || !t.skipC && t.coef != (opnd{})):
			wantSum = true
		case t.x.st == 1 && !t.skipC && t.coef != (opnd{}):
			if nd == len(dotCols) {
				x.backLinSlow(buf, adj, s0, s1)
				return
			}
			dotCols[nd], dotTerm[nd] = buf[t.x.off+s0:t.x.off+s0+n], i
			nd++
		}
	}
	var sum float64
	var dots [4]float64
	switch {
	case nd == 1 && wantSum:
		sum, dots[0] = sumDot(g, dotCols[0])
	default:
		for k := 0; k < nd; k++ {
			_, dots[k] = sumDot(g, dotCols[k])
		}
		if wantSum {
			sum, _ = sumDot(g, nil)
		}
	}
	for k := 0; k < nd; k++ {
		t := &x.lt[dotTerm[k]]
		if t.neg {
			adj[t.coef.off] -= dots[k]
		} else {
			adj[t.coef.off] += dots[k]
		}
	}
	for i := range x.lt {
		t := &x.lt[i]
		w := t.weight(buf)
		if t.x.st == 0 {
			if !t.skipX {
				adj[t.x.off] += w * sum
			}
			if !t.skipC && t.coef != (opnd{}) {
				if t.neg {
					adj[t.coef.off] -= buf[t.x.off] * sum
				} else {
					adj[t.coef.off] += buf[t.x.off] * sum
				}
			}
			continue
		}
		if !t.skipX {
			a := adj[t.x.off+s0 : t.x.off+s0+n]
			for i, v := range g {
				a[i] += w * v
			}
		}
	}
}

// backLinSlow is backLin for any operands.
func (x *smExec) backLinSlow(buf, adj []float64, s0, s1 int) {
	d := x.d
	sumG := 0.0
	for s := s0; s < s1; s++ {
		sumG += adj[d.off+s*d.st]
	}
	for i := range x.lt {
		t := &x.lt[i]
		w := t.weight(buf)
		if !t.skipX {
			if t.x.st == 0 {
				adj[t.x.off] += w * sumG
			} else {
				for s := s0; s < s1; s++ {
					adj[t.x.off+s*t.x.st] += w * adj[d.off+s*d.st]
				}
			}
		}
		if !t.skipC && t.coef != (opnd{}) {
			var dot float64
			for s := s0; s < s1; s++ {
				dot += adj[d.off+s*d.st] * buf[t.x.off+s*t.x.st]
			}
			if t.neg {
				dot = -dot
			}
			adj[t.coef.off] += dot
		}
	}
}

// sumDot returns Σ g and Σ g·a (a nil: 0), in four lanes so that the additions do not wait on
// each other.
func sumDot(g, a []float64) (sum, dot float64) {
	var s0, s1, s2, s3 float64
	i := 0
	if a == nil {
		for ; i+4 <= len(g); i += 4 {
			v := g[i : i+4 : i+4]
			s0 += v[0]
			s1 += v[1]
			s2 += v[2]
			s3 += v[3]
		}
		for ; i < len(g); i++ {
			s0 += g[i]
		}
		return (s0 + s1) + (s2 + s3), 0
	}
	a = a[:len(g)]
	var p0, p1, p2, p3 float64
	for ; i+4 <= len(g); i += 4 {
		v, w := g[i:i+4:i+4], a[i:i+4:i+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		p0 += v[0] * w[0]
		p1 += v[1] * w[1]
		p2 += v[2] * w[2]
		p3 += v[3] * w[3]
	}
	for ; i < len(g); i++ {
		s0 += g[i]
		p0 += g[i] * a[i]
	}
	return (s0 + s1) + (s2 + s3), (p0 + p1) + (p2 + p3)
}
