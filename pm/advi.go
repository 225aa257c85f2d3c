package pm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// advi holds the variational parameters and scratch of one ADVI fit. The parameters are one
// flat vector: the mean (d), then log sds (d, mean-field) or the lower-triangular Cholesky
// factor, row-major d×d (full-rank; the strict upper part stays zero).
type advi struct {
	ld   *LogDensity
	d    int
	full bool
	// scratch
	eta, zeta, g []float64
	// elboEta are the standard-normal draws of every ELBO estimate: common random numbers, so
	// that the relative ELBO changes measure the fit's progress rather than Monte Carlo noise.
	elboEta      [][]float64
	grads, logps int64
	// The fit runs on w, with z = m0 + P w the model's coordinates: P is a preconditioner
	// (lower triangular d×d for full-rank, diagonal pd for mean-field) and m0 a centre, from
	// a Pathfinder path (identity and the initial point without warm start).
	m0, pre, pd []float64
	logdetP     float64
	z, gz       []float64
}

func newADVI(ld *LogDensity, full bool) *advi {
	d := ld.Dim()
	v := &advi{ld: ld, d: d, full: full, eta: make([]float64, d), zeta: make([]float64, d), g: make([]float64, d),
		z: make([]float64, d), gz: make([]float64, d), m0: make([]float64, d), pd: make([]float64, d)}
	for i := range v.pd {
		v.pd[i] = 1
	}
	return v
}

// precondition centres the fit at m0 with the covariance sigma (d×d), from Pathfinder: a
// Cholesky factor for full-rank, the marginal sds for mean-field. It returns false (and
// changes nothing) when sigma is not positive definite.
func (v *advi) precondition(m0, sigma []float64) bool {
	d := v.d
	if v.full {
		l := append([]float64(nil), sigma...)
		if !cholesky(l, d) {
			return false
		}
		v.pre = l
		v.logdetP = 0
		for i := 0; i < d; i++ {
			v.logdetP += math.Log(l[i*d+i])
		}
	} else {
		pd := make([]float64, d)
		for i := range pd {
			pd[i] = math.Sqrt(sigma[i*d+i])
			if !(pd[i] > 0) || math.IsInf(pd[i], 0) {
				return false
			}
		}
		v.pd = pd
		v.logdetP = 0
		for _, x := range pd {
			v.logdetP += math.Log(x)
		}
	}
	copy(v.m0, m0)
	return true
}

// toZ maps w (in v.zeta) to the model's coordinates in v.z.
func (v *advi) toZ() {
	d := v.d
	if v.pre != nil {
		for i := 0; i < d; i++ {
			s := v.m0[i]
			row := v.pre[i*d : i*d+i+1]
			for j, l := range row {
				s += l * v.zeta[j]
			}
			v.z[i] = s
		}
		return
	}
	for i := range v.z {
		v.z[i] = v.m0[i] + v.pd[i]*v.zeta[i]
	}
}

// logpGrad evaluates the model at w = v.zeta: the log-density and, in v.g, its gradient with
// respect to w (Pᵀ ∇z).
func (v *advi) logpGrad() float64 {
	v.toZ()
	lp := v.ld.LogpGrad(v.z, v.gz)
	v.grads++
	d := v.d
	if v.pre != nil {
		for j := 0; j < d; j++ {
			v.g[j] = 0
		}
		for i := 0; i < d; i++ {
			gi := v.gz[i]
			row := v.pre[i*d : i*d+i+1]
			for j, l := range row {
				v.g[j] += l * gi
			}
		}
	} else {
		for i := range v.g {
			v.g[i] = v.pd[i] * v.gz[i]
		}
	}
	return lp
}

// export maps the fitted parameters on w to the model's coordinates: the mean, and the sds or
// the Cholesky factor.
func (v *advi) export(p []float64) (mean, sd, chol []float64) {
	d := v.d
	copy(v.zeta, p[:d])
	v.toZ()
	mean = append([]float64(nil), v.z...)
	sd = make([]float64, d)
	if v.full {
		lw := p[d:]
		chol = make([]float64, d*d)
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				s := 0.0
				if v.pre != nil {
					for k := j; k <= i; k++ {
						s += v.pre[i*d+k] * lw[k*d+j]
					}
				} else {
					s = v.pd[i] * lw[i*d+j]
				}
				chol[i*d+j] = s
			}
		}
		for i := 0; i < d; i++ {
			s := 0.0
			for j := 0; j <= i; j++ {
				s += chol[i*d+j] * chol[i*d+j]
			}
			sd[i] = math.Sqrt(s)
		}
		return mean, sd, chol
	}
	for i := range sd {
		sd[i] = v.pd[i] * math.Exp(p[d+i])
	}
	return mean, sd, nil
}

// initParams is the mean at x0 with unit scale, as Stan starts.
func (v *advi) initParams(x0 []float64) []float64 {
	d := v.d
	var p []float64
	if v.full {
		p = make([]float64, d+d*d)
		for i := 0; i < d; i++ {
			p[d+i*d+i] = 1
		}
	} else {
		p = make([]float64, 2*d)
	}
	copy(p, x0)
	return p
}

// draw sets zeta = mean + scale·eta for a fresh standard-normal eta.
func (v *advi) draw(p []float64, r *rand.Rand) {
	for i := range v.eta {
		v.eta[i] = r.NormFloat64()
	}
	v.place(p)
}

// place sets zeta = mean + scale·eta.
func (v *advi) place(p []float64) {
	d := v.d
	if v.full {
		L := p[d:]
		for i := 0; i < d; i++ {
			s := p[i]
			row := L[i*d : i*d+i+1]
			for j, l := range row {
				s += l * v.eta[j]
			}
			v.zeta[i] = s
		}
		return
	}
	for i := 0; i < d; i++ {
		v.zeta[i] = p[i] + math.Exp(p[d+i])*v.eta[i]
	}
}

// entropy is the approximation's entropy up to the constant d/2·(1 + log 2π).
func (v *advi) entropy(p []float64) float64 {
	d := v.d
	h := 0.0
	for i := 0; i < d; i++ {
		if v.full {
			h += math.Log(math.Abs(p[d+i*d+i]))
		} else {
			h += p[d+i]
		}
	}
	return h + v.logdetP + 0.5*float64(d)*(1+math.Log(2*math.Pi))
}

// elbo estimates the ELBO with n draws (the same ones at every call); non-finite
// log-densities make it -Inf.
func (v *advi) elbo(p []float64, r *rand.Rand, n int) float64 {
	for len(v.elboEta) < n {
		e := make([]float64, v.d)
		for i := range e {
			e[i] = r.NormFloat64()
		}
		v.elboEta = append(v.elboEta, e)
	}
	s := 0.0
	for k := 0; k < n; k++ {
		copy(v.eta, v.elboEta[k])
		v.place(p)
		v.toZ()
		lp := v.ld.Logp(v.z)
		v.logps++
		if math.IsNaN(lp) || math.IsInf(lp, 0) {
			return math.Inf(-1)
		}
		s += lp
	}
	return s/float64(n) + v.entropy(p)
}

// gradient writes the reparameterization gradient of the ELBO (n draws) into grad. Draws
// whose log-density or gradient is not finite are redrawn, as Stan does, up to 10 times the
// number of draws; it returns false when that budget runs out.
func (v *advi) gradient(p, grad []float64, r *rand.Rand, n int) bool {
	d := v.d
	for i := range grad {
		grad[i] = 0
	}
	got, tries := 0, 0
	for got < n {
		if tries >= 10*n+10 {
			return false
		}
		tries++
		v.draw(p, r)
		lp := v.logpGrad()
		if math.IsNaN(lp) || math.IsInf(lp, 0) || !allFinite(v.g) {
			continue
		}
		got++
		for i := 0; i < d; i++ {
			grad[i] += v.g[i]
		}
		if v.full {
			G := grad[d:]
			for i := 0; i < d; i++ {
				gi := v.g[i]
				row := G[i*d : i*d+i+1]
				for j := range row {
					row[j] += gi * v.eta[j]
				}
			}
		} else {
			for i := 0; i < d; i++ {
				grad[d+i] += v.g[i] * v.eta[i] * math.Exp(p[d+i])
			}
		}
	}
	inv := 1 / float64(n)
	for i := range grad {
		grad[i] *= inv
	}
	// The entropy's gradient.
	for i := 0; i < d; i++ {
		if v.full {
			grad[d+i*d+i] += 1 / p[d+i*d+i]
		} else {
			grad[d+i]++
		}
	}
	return true
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// stepper is a stochastic-gradient ascent rule. step returns false when its state
// overflowed (squared gradients beyond the float range), which leaves the parameters stuck.
type stepper interface {
	step(p, grad []float64) bool
}

// stanSeq is Stan's adaptive step-size sequence (stan/variational/advi.hpp):
// ρ_i = η·i^(−1/2+ε) / (τ + √s_i), s_i = α g_i² + (1−α) s_{i−1}, s_1 = g_1², α = 0.1, τ = 1.
type stanSeq struct {
	eta  float64
	iter int
	s    []float64
}

func (q *stanSeq) step(p, grad []float64) bool {
	q.iter++
	if q.s == nil {
		q.s = make([]float64, len(p))
		for i, g := range grad {
			q.s[i] = g * g
		}
	} else {
		for i, g := range grad {
			q.s[i] = 0.1*g*g + 0.9*q.s[i]
		}
	}
	rate := q.eta * math.Pow(float64(q.iter), -0.5+1e-16)
	for i, g := range grad {
		p[i] += rate * g / (1 + math.Sqrt(q.s[i]))
	}
	return allFinite(q.s)
}

// adam is Kingma and Ba's (2015) Adam, ascending.
type adam struct {
	lr   float64
	iter int
	m, v []float64
}

func (q *adam) step(p, grad []float64) bool {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	if q.m == nil {
		q.m, q.v = make([]float64, len(p)), make([]float64, len(p))
	}
	q.iter++
	c1 := 1 - math.Pow(b1, float64(q.iter))
	c2 := 1 - math.Pow(b2, float64(q.iter))
	for i, g := range grad {
		q.m[i] = b1*q.m[i] + (1-b1)*g
		q.v[i] = b2*q.v[i] + (1-b2)*g*g
		p[i] += q.lr * (q.m[i] / c1) / (math.Sqrt(q.v[i]/c2) + eps)
	}
	return allFinite(q.v)
}

func (c *fitConfig) newStepper(eta float64) stepper {
	if c.optimizer == "adam" {
		return &adam{lr: eta}
	}
	return &stanSeq{eta: eta}
}

// adaptEta runs Stan's step-size adaptation: a short run (50 iterations) with each η in
// 100, 10, 1, 0.1, 0.01 from the starting parameters; the η whose run ends with the largest
// ELBO wins.
func (v *advi) adaptEta(c fitConfig, p0 []float64, r *rand.Rand) (float64, error) {
	const adaptIter = 50
	best, bestELBO := 0.0, math.Inf(-1)
	grad := make([]float64, len(p0))
	p := make([]float64, len(p0))
	for _, eta := range []float64{100, 10, 1, 0.1, 0.01} {
		if c.ctx.Err() != nil {
			return 0, nil
		}
		copy(p, p0)
		st := c.newStepper(eta)
		ok := true
		for i := 0; i < adaptIter && ok; i++ {
			if ok = v.gradient(p, grad, r, c.gradSamples); ok {
				ok = st.step(p, grad) && allFinite(p)
			}
		}
		e := math.Inf(-1)
		if ok {
			e = v.elbo(p, r, c.elboSamples)
		}
		if e > bestELBO {
			best, bestELBO = eta, e
		}
	}
	if best == 0 {
		return 0, &Error{Op: "Fit", Msg: "ADVI's step-size adaptation failed: every step size in 100, 10, 1, 0.1, 0.01 gave a non-finite ELBO within 50 iterations (check the model's log-density, or set FitLearningRate)"}
	}
	return best, nil
}

// runADVI fits the approximation: stochastic-gradient ascent of the ELBO; every evalEvery
// iterations the ELBO of the window's average parameters, estimated with the same draws each
// time; Stan's relative-change convergence test on those estimates. Adam runs its last phase at
// a tenth of its rate: from the first time the test passes until it passes again, or over the
// last quarter of the iterations; the result is the average of the later half of that phase's
// windows, at least five (Polyak–Ruppert averaging, which removes most of the noise of the last
// iterate).
func (a *Approximation) runADVI(c fitConfig, x0 []float64, full bool) error {
	v := newADVI(a.ld, full)
	defer func() { a.GradEvals, a.LogpEvals = v.grads, v.logps }()
	r := a.rng()
	p := v.initParams(make([]float64, v.d))
	copy(v.m0, x0)
	if c.warmStart {
		if err := a.warmStart(c, v, x0, r); err != nil {
			return err
		}
		if c.ctx.Err() != nil {
			a.Cancelled = true
			return nil
		}
	}
	eta := c.lr
	if eta == 0 {
		if c.optimizer == "adam" {
			eta = 0.05
		} else {
			var err error
			if eta, err = v.adaptEta(c, p, r); err != nil {
				return err
			}
			if c.ctx.Err() != nil {
				a.Cancelled = true
				return nil
			}
		}
	}
	a.LearningRate = eta
	st := c.newStepper(eta)
	grad := make([]float64, len(p))
	cbSize := max(int(0.1*float64(c.maxIter)/float64(c.evalEvery)), 2)
	var rel []float64
	const nAvg = 5
	ring := make([][]float64, 0, nAvg)
	block := make([]float64, len(p))
	blockN := 0
	prog := newFitProgress(c.progress, a.Method, c.maxIter)
	lastELBO, lastIter := math.NaN(), 0
	prev := math.NaN()
	iter := 0
	refining := false
	for iter < c.maxIter {
		if c.ctx.Err() != nil {
			a.Cancelled = true
			break
		}
		iter++
		if ad, ok := st.(*adam); ok && !refining && iter > c.maxIter*3/4 && iter%c.evalEvery == 1 {
			// Not converged in three quarters of the budget: spend the rest refining, as below.
			ad.lr /= 10
			refining = true
			rel = rel[:0]
			ring = ring[:0]
		}
		if !v.gradient(p, grad, r, c.gradSamples) {
			a.Iterations += iter
			return a.diverged(iter, "every draw of the gradient had a non-finite log-density or gradient", lastELBO, lastIter, p, v)
		}
		if !st.step(p, grad) {
			a.Iterations += iter
			return a.diverged(iter, fmt.Sprintf("the gradient overflowed (its largest element is %.3g)", maxAbs(grad)), lastELBO, lastIter, nil, v)
		}
		if !allFinite(p) {
			a.Iterations += iter
			return a.diverged(iter, "the variational parameters became non-finite", lastELBO, lastIter, nil, v)
		}
		for i, x := range p {
			block[i] += x
		}
		blockN++
		if iter%c.evalEvery == 0 {
			// The window's average of the parameters: its ELBO follows the fit's progress
			// rather than the jitter of single stochastic steps.
			avg := make([]float64, len(p))
			for i := range block {
				avg[i] = block[i] / float64(blockN)
				block[i] = 0
			}
			blockN = 0
			e := v.elbo(avg, r, c.elboSamples)
			if math.IsNaN(e) || math.IsInf(e, 0) {
				a.Iterations += iter
				return a.diverged(iter, fmt.Sprintf("the ELBO estimate is %v", e), lastELBO, lastIter, p, v)
			}
			a.ELBO = append(a.ELBO, e)
			a.ELBOIter = append(a.ELBOIter, iter)
			lastELBO, lastIter = e, iter
			if len(ring) == nAvg && !refining { // the refinement averages all its windows
				copy(ring, ring[1:])
				ring = ring[:nAvg-1]
			}
			ring = append(ring, avg)
			if !math.IsNaN(prev) {
				rel = append(rel, math.Abs((e-prev)/e))
				if len(rel) > cbSize {
					rel = rel[1:]
				}
				if len(rel) == cbSize && (mean(rel) < c.tol || median(rel) < c.tol) {
					if ad, ok := st.(*adam); ok && !refining {
						// Converged at the working learning rate: refine with a tenth of it
						// until the test passes again, which removes most of the jitter a
						// constant rate leaves in the final average.
						ad.lr /= 10
						refining = true
						rel = rel[:0]
						ring = ring[:0]
					} else {
						a.Converged = true
						prev = e
						prog.report(iter, e, v.grads, false)
						break
					}
				}
			}
			prev = e
		}
		prog.report(iter, lastELBO, v.grads, false)
	}
	a.Iterations += iter
	if iter == 0 {
		return nil
	}
	// Average the last windows' parameters (or take the last iterate before the first window):
	// the later half of a refinement, at least five windows.
	final := append([]float64(nil), p...)
	if k := max(nAvg, len(ring)/2); len(ring) > k {
		ring = ring[len(ring)-k:]
	}
	if len(ring) > 0 {
		for i := range final {
			s := 0.0
			for _, w := range ring {
				s += w[i]
			}
			final[i] = s / float64(len(ring))
		}
	}
	a.setParams(v, final)
	if !a.Converged && !a.Cancelled {
		a.Warnings = append(a.Warnings, fmt.Sprintf("ADVI did not converge in %d iterations (relative ELBO change above %g): raise FitMaxIter", iter, c.tol))
	}
	prog.report(iter, lastELBO, v.grads, true)
	return nil
}

// setParams stores the approximation's mean, sds and Cholesky factor.
func (a *Approximation) setParams(v *advi, p []float64) {
	a.Mean, a.SD, a.Chol = v.export(p)
}

// diverged builds the divergence error, keeping the history and, when they are finite, the
// parameters reached.
func (a *Approximation) diverged(iter int, why string, lastELBO float64, lastIter int, p []float64, v *advi) error {
	if p != nil && allFinite(p) {
		a.setParams(v, p)
	}
	last := "no ELBO was estimated before"
	if !math.IsNaN(lastELBO) {
		last = fmt.Sprintf("the last finite ELBO was %.6g at iteration %d", lastELBO, lastIter)
	}
	return &Error{Op: "Fit", Msg: fmt.Sprintf("%s diverged at iteration %d: %s; %s (the history is kept in the returned Approximation; lower FitLearningRate or check the model)", a.Method, iter, why, last)}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}

// warmStart runs one Pathfinder path and, when it gives an approximation, centres and
// preconditions the fit with it (its mean; its covariance's Cholesky factor for full-rank, its
// marginal sds for mean-field), so that ADVI starts near the posterior and on a scale where one
// learning rate suits every coordinate. Its evaluations count in the fit's.
func (a *Approximation) warmStart(c fitConfig, v *advi, x0 []float64, r *rand.Rand) error {
	pc := c
	pc.maxIter, pc.elboSamples = 1000, 25
	res := runPath(v.ld, x0, pc, r, nil)
	v.grads += res.grads
	v.logps += res.logps
	a.Iterations += res.iters
	if res.best == nil {
		a.Warnings = append(a.Warnings, "the Pathfinder warm start found no approximation; ADVI started at the initial point with unit scales")
		return nil
	}
	if !v.precondition(res.best.mu, res.best.cov()) {
		a.Warnings = append(a.Warnings, "the Pathfinder warm start's covariance is not positive definite; ADVI started at the initial point with unit scales")
	}
	return nil
}
