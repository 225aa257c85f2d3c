package step

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// metric is the Euclidean metric of the kinetic energy K(p) = p'M⁻¹p/2.
// It stores the inverse metric M⁻¹ (the posterior covariance estimate),
// diagonal or dense.
type metric struct {
	n     int
	dense bool
	inv   []float64 // diagonal of M⁻¹ (len n), or M⁻¹ row-major (n×n)
	isd   []float64 // diag: 1/sqrt(inv), the momentum scale
	chol  []float64 // dense: lower Cholesky factor L of M⁻¹ = LLᵀ

	// The low-rank modified metric (lowrank.go), M⁻¹ = S(I + U(Λ − I)Uᵀ)S: inv holds
	// diag(S²) and isd 1/S as for a diagonal metric; k = 0 is that diagonal metric.
	k            int
	sd           []float64 // S
	vecs         []float64 // U, k×n row-major
	lamM1, lamS1 []float64 // λ − 1 and λ^−½ − 1
	work, coef   []float64 // scratch, n each
}

func newMetric(n int, dense bool) *metric {
	m := &metric{n: n, dense: dense}
	if dense {
		m.inv = make([]float64, n*n)
		m.chol = make([]float64, n*n)
		for i := 0; i < n; i++ {
			m.inv[i*n+i] = 1
			m.chol[i*n+i] = 1
		}
	} else {
		m.inv = make([]float64, n)
		m.isd = make([]float64, n)
		for i := range m.inv {
			m.inv[i] = 1
			m.isd[i] = 1
		}
	}
	return m
}

// setDiag sets a diagonal inverse metric.
func (m *metric) setDiag(v []float64) {
	for i, x := range v {
		m.inv[i] = x
		m.isd[i] = 1 / math.Sqrt(x)
	}
	if m.sd != nil {
		for i, x := range v {
			m.sd[i] = math.Sqrt(x)
		}
		m.k = 0
	}
}

// setDense sets a dense inverse metric; it reports false (and keeps the old
// one) if c is not positive definite.
func (m *metric) setDense(c []float64) bool {
	n := m.n
	sym := mat.NewSymDense(n, append([]float64(nil), c...))
	var ch mat.Cholesky
	if !ch.Factorize(sym) {
		return false
	}
	var l mat.TriDense
	ch.LTo(&l)
	copy(m.inv, c)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			m.chol[i*n+j] = l.At(i, j)
		}
	}
	return true
}

// sampleP draws p ~ N(0, M).
func (m *metric) sampleP(rng *rand.Rand, p []float64) {
	if !m.dense {
		if m.k > 0 {
			m.samplePLowRank(rng, p)
			return
		}
		for i := range p {
			p[i] = rng.NormFloat64() * m.isd[i]
		}
		return
	}
	// M⁻¹ = LLᵀ, so p = L⁻ᵀu has covariance (LLᵀ)⁻¹ = M (Stan's
	// dense_e_metric::sample_p solves with the upper factor the same way).
	n := m.n
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	for i := n - 1; i >= 0; i-- {
		s := p[i]
		for k := i + 1; k < n; k++ {
			s -= m.chol[k*n+i] * p[k]
		}
		p[i] = s / m.chol[i*n+i]
	}
}

// velocity writes v = M⁻¹p (Stan's dtau_dp, the "sharp" momentum) and
// returns the kinetic energy p·v/2.
func (m *metric) velocity(p, v []float64) float64 {
	if m.k > 0 {
		return m.velocityLowRank(p, v)
	}
	k := 0.0
	if !m.dense {
		inv := m.inv[:len(p)]
		v = v[:len(p)]
		for i, pi := range p {
			vi := inv[i] * pi
			v[i] = vi
			k += pi * vi
		}
		return 0.5 * k
	}
	// floats.Dot runs gonum's assembly kernel: the two matrix-vector
	// products per leapfrog step dominate the dense metric's cost.
	n := m.n
	for i := 0; i < n; i++ {
		s := floats.Dot(m.inv[i*n:i*n+n], p)
		v[i] = s
		k += p[i] * s
	}
	return 0.5 * k
}

// welford accumulates running means and (co)variances of vectors.
type welford struct {
	n     int
	dense bool
	count float64
	mean  []float64
	m2    []float64 // n (diag) or n×n (dense)
	d     []float64 // scratch
}

func newWelford(n int, dense bool) *welford {
	w := &welford{n: n, dense: dense, mean: make([]float64, n), d: make([]float64, n)}
	if dense {
		w.m2 = make([]float64, n*n)
	} else {
		w.m2 = make([]float64, n)
	}
	return w
}

func (w *welford) reset() {
	w.count = 0
	clear(w.mean)
	clear(w.m2)
}

func (w *welford) add(x []float64) {
	w.count++
	if !w.dense {
		for i, xi := range x {
			d := xi - w.mean[i]
			w.mean[i] += d / w.count
			w.m2[i] += d * (xi - w.mean[i])
		}
		return
	}
	n := w.n
	for i, xi := range x {
		w.d[i] = xi - w.mean[i]
		w.mean[i] += w.d[i] / w.count
	}
	// m2 += d_old (x - mean_new)ᵀ, symmetric in expectation; kept exactly
	// symmetric by filling both triangles from the lower one.
	for i := 0; i < n; i++ {
		ai := x[i] - w.mean[i]
		row := w.m2[i*n:]
		for j := 0; j <= i; j++ {
			row[j] += w.d[j] * ai
		}
	}
}

// variance writes the sample variance (diag) or covariance (dense, both
// triangles) into out.
func (w *welford) variance(out []float64) {
	den := w.count - 1
	if den < 1 {
		den = 1
	}
	if !w.dense {
		for i := range out {
			out[i] = w.m2[i] / den
		}
		return
	}
	n := w.n
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := w.m2[i*n+j] / den
			out[i*n+j] = v
			out[j*n+i] = v
		}
	}
}
