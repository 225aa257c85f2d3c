package tensor

import "github.com/gopm-dev/gopm/pm/internal/fastmath"

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
			uses[l.cin[q]] += 2 // the recurrence writes the column and reads it back
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
	m.fuseLinOffset(uses)
}

// fuseLinOffset hands the recurrence x_s = off_s + a·x_{s−1} of a scalar state with a static
// coefficient the smLin instruction computing its offset, when nothing else reads the offset.
// The reverse sweep then sums the offset's adjoint into the coefficients' adjoints as it goes
// (backFused), without storing it: ARMA's gradient in one backward pass.
func (m *scanMachine) fuseLinOffset(uses map[int]int) {
	l := m.lin
	if l == nil || len(l.cin) != 1 || len(l.terms) != 1 || l.terms[0].c.st != 0 || l.cout[0].st != 1 ||
		!l.hasOff[0] || l.off[0].st != 1 || uses[l.off[0].off] != 1 {
		return
	}
	for i := range m.pre {
		x := m.pre[i]
		if x.code != smLin || x.d != l.off[0] {
			continue
		}
		l.offLin = &x
		m.pre = append(m.pre[:i:i], m.pre[i+1:]...)
		l.cinOnly = uses[l.cin[0]] == 2
		l.zeros = make([]float64, max(m.n, 0))
		return
	}
}

// backFused is the reverse of a scalar recurrence whose offset is offLin (the backward plan's
// copy), with the offset's adjoint g_s summed into Σ g and Σ g·x for at most two column terms
// as the adjoint recurrence runs. It reports false, doing nothing, when a column term wants
// its own adjoint (a sequence with a gradient) or there are more wanted dot products.
func (l *linRec) backFused(buf, adj []float64, n int, offLin *smExec) bool {
	var cols [2][]float64
	var idx [2]int
	nd := 0
	for i := range offLin.lt {
		t := &offLin.lt[i]
		if t.x.st == 0 {
			continue
		}
		if !t.skipX {
			return false
		}
		if !t.skipC && t.coef != (opnd{}) {
			if nd == 2 {
				return false
			}
			cols[nd], idx[nd] = buf[t.x.off:t.x.off+n], i
			nd++
		}
	}
	for k := nd; k < 2; k++ {
		cols[k] = l.zeros
	}
	ci, co, a := l.cin[0], l.cout[0].off, l.terms[0].c.off
	gin := l.zeros
	if !l.cinOnly {
		gin = adj[ci : ci+n]
	}
	var ga, next, sg, d0, d1 float64
	if l.cinOnly && nd <= 1 {
		ga, next, sg, d0 = linBack1Sum1(adj[co:co+n], buf[ci:ci+n], buf[a], cols[0])
	} else {
		ga, next, sg, d0, d1 = linBack1Sums(adj[co:co+n], gin, buf[ci:ci+n], buf[a], cols[0], cols[1])
	}
	adj[a] += ga
	if n > 0 {
		adj[ci] = next
	}
	offLin.addLinSums(buf, adj, sg, idx[:nd], []float64{d0, d1}[:nd])
	return true
}

// linBack1Sums is linBack1 with the offsets' adjoints g_s not stored but summed: it returns
// the coefficient's and the initial state's adjoints, Σ g, Σ g·x0 and Σ g·x1.
func linBack1Sums(gout, gin, cin []float64, a float64, x0, x1 []float64) (ga, next, sg, d0, d1 float64) {
	n := len(gout)
	gin, cin, x0, x1 = gin[:n], cin[:n], x0[:n], x1[:n]
	a2 := a * a
	a3, a4 := a2*a, a2*a2
	s := n - 1
	for ; s >= 3; s -= 4 {
		lo := s - 3
		c := gout[lo : lo+4 : lo+4]
		gi := gin[lo : lo+4 : lo+4]
		w1 := gi[3] + a*c[3]
		w2 := gi[2] + a*c[2] + a*w1
		w3 := gi[1] + a*c[1] + a*w2
		w4 := gi[0] + a*c[0] + a*w3
		g3 := c[3] + next
		g2 := c[2] + (w1 + a*next)
		g1 := c[1] + (w2 + a2*next)
		g0 := c[0] + (w3 + a3*next)
		next = w4 + a4*next
		sg += (g0 + g1) + (g2 + g3)
		y0, y1, x := x0[lo:lo+4:lo+4], x1[lo:lo+4:lo+4], cin[lo:lo+4:lo+4]
		d0 += g0*y0[0] + g1*y0[1] + g2*y0[2] + g3*y0[3]
		d1 += g0*y1[0] + g1*y1[1] + g2*y1[2] + g3*y1[3]
		ga += g0*x[0] + g1*x[1] + g2*x[2] + g3*x[3]
	}
	for ; s >= 0; s-- {
		c := gout[s]
		g := c + next
		sg += g
		d0 += g * x0[s]
		d1 += g * x1[s]
		ga += g * cin[s]
		next = (gin[s] + c*a) + next*a
	}
	return ga, next, sg, d0, d1
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
		a, wa := cols[0][:n], ws[0]
		for i := range dst {
			dst[i] = k + float64(wa*a[i]) // rounded: no fused multiply-add (arm64 would fuse)
		}
		return
	case 2:
		fastmath.Affine2(dst, k, ws[0], cols[0][:n], ws[1], cols[1][:n])
		return
	case 3:
		a, b, c, wa, wb, wc := cols[0][:n], cols[1][:n], cols[2][:n], ws[0], ws[1], ws[2]
		for i := range dst {
			dst[i] = k + float64(wa*a[i]) + float64(wb*b[i]) + float64(wc*c[i])
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
	x.addLinSums(buf, adj, sum, dotTerm[:nd], dots[:nd])
	for i := range x.lt {
		t := &x.lt[i]
		if t.x.st == 1 && !t.skipX {
			a, w := adj[t.x.off+s0:t.x.off+s0+n], t.weight(buf)
			for i, v := range g {
				a[i] += w * v
			}
		}
	}
}

// addLinSums adds the adjoints that the reductions give: dots[k] = Σ g·x of term dotTerm[k]
// into its coefficient's, and sum = Σ g into the static terms' (x and coefficient).
func (x *smExec) addLinSums(buf, adj []float64, sum float64, dotTerm []int, dots []float64) {
	for k, i := range dotTerm {
		t := &x.lt[i]
		if t.neg {
			adj[t.coef.off] -= dots[k]
		} else {
			adj[t.coef.off] += dots[k]
		}
	}
	for i := range x.lt {
		t := &x.lt[i]
		if t.x.st != 0 {
			continue
		}
		if !t.skipX {
			adj[t.x.off] += t.weight(buf) * sum
		}
		if !t.skipC && t.coef != (opnd{}) {
			if t.neg {
				adj[t.coef.off] -= buf[t.x.off] * sum
			} else {
				adj[t.coef.off] += buf[t.x.off] * sum
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

// linBack1Sum1 is linBack1Sums with no adjoint of the carried-in state from elsewhere and one
// dot product (ARMA: the offset y_t − μ − φ·y_{t−1}).
func linBack1Sum1(gout, cin []float64, a float64, x0 []float64) (ga, next, sg, d0 float64) {
	n := len(gout)
	cin, x0 = cin[:n], x0[:n]
	a2 := a * a
	a3, a4 := a2*a, a2*a2
	s := n - 1
	for ; s >= 3; s -= 4 {
		lo := s - 3
		c := gout[lo : lo+4 : lo+4]
		w1 := a * c[3]
		w2 := a * (c[2] + w1)
		w3 := a * (c[1] + w2)
		w4 := a * (c[0] + w3)
		g3 := c[3] + next
		g2 := c[2] + (w1 + a*next)
		g1 := c[1] + (w2 + a2*next)
		g0 := c[0] + (w3 + a3*next)
		next = w4 + a4*next
		sg += (g0 + g1) + (g2 + g3)
		y, x := x0[lo:lo+4:lo+4], cin[lo:lo+4:lo+4]
		d0 += (g0*y[0] + g1*y[1]) + (g2*y[2] + g3*y[3])
		ga += (g0*x[0] + g1*x[1]) + (g2*x[2] + g3*x[3])
	}
	for ; s >= 0; s-- {
		c := gout[s]
		g := c + next
		sg += g
		d0 += g * x0[s]
		ga += g * cin[s]
		next = c*a + next*a
	}
	return ga, next, sg, d0
}
