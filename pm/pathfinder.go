package pm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/gopm-dev/gopm/pm/internal/psis"
	"github.com/gopm-dev/gopm/pm/step"
	"gonum.org/v1/gonum/optimize"
)

// bfgsNormal is one of Pathfinder's normal approximations: mean mu and covariance
// Σ = diag(α) + β γ βᵀ, the L-BFGS inverse-Hessian estimate in the compact form of Byrd,
// Nocedal and Schnabel (1994), kept as the factors Pathfinder's Algorithm 4 draws with.
type bfgsNormal struct {
	mu        []float64
	sqrtAlpha []float64
	q         [][]float64 // thin Q of diag(α)^(−1/2) β, k columns of length d (low-rank form)
	lk        []float64   // Cholesky factor of I + R γ Rᵀ, k×k row-major
	dense     []float64   // Cholesky factor of Σ, d×d row-major (when d ≤ 2m)
	logdet    float64
}

// newBFGSNormal builds the approximation at x with log-density gradient g, diagonal α and
// the correction pairs s (iterate steps) and y (steps of the negative log-density's gradient).
// It returns nil when the factors are not positive definite.
func newBFGSNormal(x, g, alpha []float64, s, y [][]float64) *bfgsNormal {
	d, m := len(x), len(s)
	k := 2 * m
	// β = [diag(α) Y, S], d×2m, column-major as slices.
	beta := make([][]float64, k)
	for j := 0; j < m; j++ {
		c := make([]float64, d)
		for i := range c {
			c[i] = alpha[i] * y[j][i]
		}
		beta[j] = c
		beta[m+j] = s[j]
	}
	// R = upper triangle of SᵀY; its inverse.
	rmat := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for j := i; j < m; j++ {
			rmat[i*m+j] = dot(s[i], y[j])
		}
	}
	rinv := invUpper(rmat, m)
	if rinv == nil {
		return nil
	}
	// γ = [[0, −R⁻¹], [−R⁻ᵀ, R⁻ᵀ(E + Yᵀ diag(α) Y) R⁻¹]], E = diag(SᵀY).
	mid := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			v := 0.0
			for l := 0; l < d; l++ {
				v += y[i][l] * alpha[l] * y[j][l]
			}
			if i == j {
				v += rmat[i*m+i]
			}
			mid[i*m+j] = v
		}
	}
	br := make([]float64, m*m) // R⁻ᵀ mid R⁻¹
	tmp := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			v := 0.0
			for l := 0; l < m; l++ {
				v += mid[i*m+l] * rinv[l*m+j]
			}
			tmp[i*m+j] = v
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			v := 0.0
			for l := 0; l < m; l++ {
				v += rinv[l*m+i] * tmp[l*m+j]
			}
			br[i*m+j] = v
		}
	}
	gamma := make([]float64, k*k)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			gamma[i*k+m+j] = -rinv[i*m+j]
			gamma[(m+i)*k+j] = -rinv[j*m+i]
			gamma[(m+i)*k+m+j] = br[i*m+j]
		}
	}
	b := &bfgsNormal{mu: make([]float64, d), sqrtAlpha: make([]float64, d)}
	// mean: x + Σ g = x + α∘g + β γ βᵀ g.
	bg := make([]float64, k)
	for j := range beta {
		bg[j] = dot(beta[j], g)
	}
	gbg := matVec(gamma, bg, k)
	for i := 0; i < d; i++ {
		v := x[i] + alpha[i]*g[i]
		for j := range beta {
			v += beta[j][i] * gbg[j]
		}
		b.mu[i] = v
		b.sqrtAlpha[i] = math.Sqrt(alpha[i])
	}
	if d <= k {
		sig := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for l := 0; l < d; l++ {
				v := 0.0
				for a := 0; a < k; a++ {
					for c := 0; c < k; c++ {
						v += beta[a][i] * gamma[a*k+c] * beta[c][l]
					}
				}
				if i == l {
					v += alpha[i]
				}
				sig[i*d+l] = v
			}
		}
		if !cholesky(sig, d) {
			return nil
		}
		b.dense = sig
		for i := 0; i < d; i++ {
			b.logdet += 2 * math.Log(sig[i*d+i])
		}
		return b
	}
	// Thin QR of diag(α)^(−1/2) β by modified Gram–Schmidt (twice, for orthogonality).
	q := make([][]float64, k)
	rq := make([]float64, k*k)
	for j := 0; j < k; j++ {
		c := make([]float64, d)
		for i := range c {
			c[i] = beta[j][i] / b.sqrtAlpha[i]
		}
		norm0 := math.Sqrt(dot(c, c))
		for pass := 0; pass < 2; pass++ {
			for l := 0; l < j; l++ {
				if q[l] == nil {
					continue
				}
				p := dot(q[l], c)
				rq[l*k+j] += p
				for i := range c {
					c[i] -= p * q[l][i]
				}
			}
		}
		nrm := math.Sqrt(dot(c, c))
		if nrm <= 1e-12*norm0 || nrm == 0 {
			continue // dependent column: Q's column stays zero
		}
		rq[j*k+j] = nrm
		for i := range c {
			c[i] /= nrm
		}
		q[j] = c
	}
	for j := range q {
		if q[j] == nil {
			q[j] = make([]float64, d)
		}
	}
	// I + Rq γ Rqᵀ.
	t := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			v := 0.0
			for l := 0; l < k; l++ {
				v += rq[i*k+l] * gamma[l*k+j]
			}
			t[i*k+j] = v
		}
	}
	lk := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			v := 0.0
			for l := 0; l < k; l++ {
				v += t[i*k+l] * rq[j*k+l]
			}
			if i == j {
				v++
			}
			lk[i*k+j] = v
		}
	}
	if !cholesky(lk, k) {
		return nil
	}
	b.q, b.lk = q, lk
	for i := 0; i < d; i++ {
		b.logdet += math.Log(alpha[i])
	}
	for i := 0; i < k; i++ {
		b.logdet += 2 * math.Log(lk[i*k+i])
	}
	return b
}

// draw writes a draw into x (u is scratch of length d) and returns its log-density.
func (b *bfgsNormal) draw(r *rand.Rand, x, u []float64) float64 {
	d := len(b.mu)
	uu := 0.0
	for i := range u {
		u[i] = r.NormFloat64()
		uu += u[i] * u[i]
	}
	if b.dense != nil {
		for i := 0; i < d; i++ {
			v := b.mu[i]
			for j := 0; j <= i; j++ {
				v += b.dense[i*d+j] * u[j]
			}
			x[i] = v
		}
	} else {
		k := len(b.q)
		u1 := make([]float64, k)
		for j := range b.q {
			u1[j] = dot(b.q[j], u)
		}
		// z = u + Q (L u1 − u1)
		for i := range x {
			x[i] = u[i]
		}
		for j := 0; j < k; j++ {
			w := -u1[j]
			for l := 0; l <= j; l++ {
				w += b.lk[j*k+l] * u1[l]
			}
			if w != 0 {
				for i := range x {
					x[i] += b.q[j][i] * w
				}
			}
		}
		for i := range x {
			x[i] = b.mu[i] + b.sqrtAlpha[i]*x[i]
		}
	}
	return -0.5 * (b.logdet + uu + float64(d)*math.Log(2*math.Pi))
}

// pathResult is one Pathfinder path.
type pathResult struct {
	best      *bfgsNormal
	elbo      []float64
	iters     int
	converged bool
	cancelled bool
	grads     int64
	logps     int64
	err       error
}

// runPath is single-path Pathfinder (Zhang et al. 2022, Algorithm 1) from x0: L-BFGS on −log p,
// the diagonal estimate updated from every accepted correction pair (their Algorithm 3), the
// normal approximation at every iterate scored by its ELBO with K draws, the best kept.
func runPath(ld *LogDensity, x0 []float64, c fitConfig, r *rand.Rand, progress func(int)) pathResult {
	d := ld.Dim()
	var res pathResult
	grad := make([]float64, d)
	prob := optimize.Problem{
		Func: func(x []float64) float64 {
			res.logps++
			v := ld.Logp(x)
			if math.IsNaN(v) {
				return math.Inf(1)
			}
			return -v
		},
		Grad: func(gr, x []float64) {
			res.grads++
			ld.LogpGrad(x, grad)
			for i, v := range grad {
				gr[i] = -v
			}
		},
	}
	var xs, gs [][]float64 // iterates and log-density gradients
	rec := recorderFunc(func(loc *optimize.Location, op optimize.Operation) error {
		if op == optimize.InitIteration || op == optimize.MajorIteration {
			g := make([]float64, d)
			for i, v := range loc.Gradient {
				g[i] = -v
			}
			xs = append(xs, append([]float64(nil), loc.X...))
			gs = append(gs, g)
			if progress != nil && op == optimize.MajorIteration {
				progress(1)
			}
		}
		if c.ctx.Err() != nil {
			return errCancelled
		}
		return nil
	})
	settings := &optimize.Settings{MajorIterations: c.maxIter, GradientThreshold: 1e-8, Recorder: rec,
		Converger: &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 10}}
	out, err := optimize.Minimize(prob, x0, settings, &optimize.LBFGS{Store: c.history})
	if errors.Is(err, errCancelled) {
		res.cancelled = true
	}
	if out != nil {
		switch out.Status {
		case optimize.GradientThreshold, optimize.FunctionConvergence, optimize.StepConvergence, optimize.Success:
			res.converged = true
		}
		if err != nil && !res.cancelled && out.Status != optimize.IterationLimit {
			// gonum reports a failed line search near the optimum as an error; the path is
			// still usable, as Stan's is.
			res.converged = true
		}
	}
	res.iters = max(len(xs)-1, 0)
	// Approximations along the path.
	alpha := make([]float64, d)
	for i := range alpha {
		alpha[i] = 1
	}
	var ss, ys [][]float64
	bestELBO := math.Inf(-1)
	x := make([]float64, d)
	u := make([]float64, d)
	for l := 1; l < len(xs); l++ {
		s := make([]float64, d)
		y := make([]float64, d)
		for i := range s {
			s[i] = xs[l][i] - xs[l-1][i]
			y[i] = -(gs[l][i] - gs[l-1][i])
		}
		sy, yy := dot(s, y), dot(y, y)
		if sy > 2.220446049250313e-16*yy && allFinite(s) && allFinite(y) {
			updateDiag(alpha, s, y)
			ss, ys = append(ss, s), append(ys, y)
			if len(ss) > c.history {
				ss, ys = ss[1:], ys[1:]
			}
		}
		e := math.Inf(-1)
		if len(ss) > 0 {
			if b := newBFGSNormal(xs[l], gs[l], alpha, ss, ys); b != nil {
				e = 0
				for k := 0; k < c.elboSamples; k++ {
					lq := b.draw(r, x, u)
					lp := ld.Logp(x)
					res.logps++
					if math.IsNaN(lp) || math.IsInf(lp, 0) {
						e = math.Inf(-1)
						break
					}
					e += (lp - lq) / float64(c.elboSamples)
				}
				if e > bestELBO {
					bestELBO, res.best = e, b
				}
			}
		}
		res.elbo = append(res.elbo, e)
		if c.ctx.Err() != nil {
			res.cancelled = true
			break
		}
	}
	if res.best == nil && !res.cancelled {
		res.err = fmt.Errorf("no normal approximation along the path had a finite ELBO (%d L-BFGS iterations; status %v)", res.iters, statusOf(out, err))
	}
	return res
}

func statusOf(out *optimize.Result, err error) string {
	if out == nil {
		return fmt.Sprint(err)
	}
	if err != nil {
		return fmt.Sprintf("%v: %v", out.Status, err)
	}
	return out.Status.String()
}

var errCancelled = errors.New("cancelled")

// recorderFunc adapts a function to optimize.Recorder.
type recorderFunc func(loc *optimize.Location, op optimize.Operation) error

func (f recorderFunc) Init() error { return nil }
func (f recorderFunc) Record(loc *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	return f(loc, op)
}

// updateDiag is Pathfinder's diagonal update (Zhang et al. 2022, Algorithm 3, after Gilbert and
// Lemaréchal 1989): 1/α'ᵢ = yᵀαy/(yᵀs αᵢ) + yᵢ²/yᵀs − yᵀαy sᵢ²/(yᵀs sᵀα⁻¹s αᵢ²).
func updateDiag(alpha, s, y []float64) {
	yay, sy, sas := 0.0, dot(y, s), 0.0
	for i := range alpha {
		yay += y[i] * alpha[i] * y[i]
		sas += s[i] * s[i] / alpha[i]
	}
	next := make([]float64, len(alpha))
	for i, a := range alpha {
		inv := yay/(sy*a) + y[i]*y[i]/sy - yay*s[i]*s[i]/(sy*sas*a*a)
		v := 1 / inv
		if !(v > 0) || math.IsInf(v, 0) {
			return // keep the previous diagonal
		}
		next[i] = v
	}
	copy(alpha, next)
}

// runPathfinder runs the paths (in parallel, each on its own copy of the density) and keeps
// every path's best approximation for resampling.
func (a *Approximation) runPathfinder(c fitConfig, x0 []float64) error {
	np := c.paths
	if np > 1 {
		a.Method = fmt.Sprintf("Pathfinder (%d paths)", np)
	} else {
		a.Method = "Pathfinder (single path)"
	}
	results := make([]pathResult, np)
	var done atomic.Int64
	var mu sync.Mutex
	prog := newFitProgress(c.progress, a.Method, c.maxIter*np)
	report := func(n int) {
		v := done.Add(int64(n))
		mu.Lock()
		prog.report(int(v), math.NaN(), 0, false)
		mu.Unlock()
	}
	cores := min(np, runtime.GOMAXPROCS(0))
	sem := make(chan struct{}, cores)
	var wg sync.WaitGroup
	for p := 0; p < np; p++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(p int) {
			defer wg.Done()
			defer func() { <-sem }()
			ld := a.ld.Clone()
			r := step.ChainRand(c.seed, p)
			start := jitterStart(ld, x0, r)
			results[p] = runPath(ld, start, c, r, report)
		}(p)
	}
	wg.Wait()
	bestPath, bestELBO := -1, math.Inf(-1)
	var failures []string
	for p, res := range results {
		a.GradEvals += res.grads
		a.LogpEvals += res.logps
		a.Iterations += res.iters
		a.PathELBO = append(a.PathELBO, res.elbo)
		if res.cancelled {
			a.Cancelled = true
		}
		if res.err != nil {
			failures = append(failures, fmt.Sprintf("path %d: %v", p, res.err))
			continue
		}
		if res.best != nil {
			a.paths = append(a.paths, res.best)
			if e := maxOf(res.elbo); e > bestELBO {
				bestPath, bestELBO = p, e
			}
		}
	}
	a.Converged = !a.Cancelled
	for _, res := range results {
		if !res.converged {
			a.Converged = false
		}
	}
	if bestPath >= 0 {
		a.ELBO = results[bestPath].elbo
		for i := range a.ELBO {
			a.ELBOIter = append(a.ELBOIter, i+1)
		}
	}
	mu.Lock()
	prog.report(int(done.Load()), bestELBO, a.GradEvals, true)
	mu.Unlock()
	if len(a.paths) == 0 {
		if a.Cancelled {
			return nil
		}
		return &Error{Op: "Fit", Msg: "Pathfinder failed on every path: " + joinLines(failures)}
	}
	if len(failures) > 0 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("%d of %d Pathfinder paths failed and were left out: %s", len(failures), np, joinLines(failures)))
	}
	if !a.Converged && !a.Cancelled {
		a.Warnings = append(a.Warnings, "L-BFGS stopped at the iteration limit on some path: raise FitMaxIter")
	}
	a.Mean = make([]float64, a.ld.Dim()) // replaced by the draws' moments
	a.SD = make([]float64, a.ld.Dim())
	return nil
}

func joinLines(l []string) string {
	s := ""
	for i, x := range l {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}

// jitterStart is x0 plus U(−2, 2) noise on every coordinate (Stan's random inits are U(−2, 2)),
// retried until the log-density is finite, x0 itself after ten failures.
func jitterStart(ld *LogDensity, x0 []float64, r *rand.Rand) []float64 {
	x := make([]float64, len(x0))
	for try := 0; try < 10; try++ {
		for i := range x {
			x[i] = x0[i] + 4*r.Float64() - 2
		}
		if lp := ld.Logp(x); !math.IsNaN(lp) && !math.IsInf(lp, 0) {
			return x
		}
	}
	return append(x[:0], x0...)
}

// resamplePaths draws from the paths' approximations and, with several paths, resamples n of
// the pooled draws with Pareto-smoothed importance weights (with replacement, as Stan does).
// It returns the draws, their log-densities and the Pareto k of the importance ratios.
func resamplePaths(ld *LogDensity, paths []*bfgsNormal, n int, r *rand.Rand) ([][]float64, []float64, float64) {
	d := ld.Dim()
	perPath := n
	if len(paths) > 1 {
		perPath = max(n, 1000)
	}
	u := make([]float64, d)
	var pool [][]float64
	var lps, ratios []float64
	for _, b := range paths {
		for k := 0; k < perPath; k++ {
			x := make([]float64, d)
			lq := b.draw(r, x, u)
			lp := ld.Logp(x)
			pool = append(pool, x)
			lps = append(lps, lp)
			ratios = append(ratios, lp-lq)
		}
	}
	sm := psis.Smooth(ratios)
	if len(paths) == 1 {
		return pool, lps, sm.K
	}
	// Multinomial resampling by the smoothed weights.
	cum := make([]float64, len(pool))
	s := 0.0
	for i, lw := range sm.LogWeights {
		s += math.Exp(lw)
		cum[i] = s
	}
	draws := make([][]float64, n)
	out := make([]float64, n)
	for i := range draws {
		j := sort.SearchFloat64s(cum, r.Float64()*s)
		j = min(j, len(pool)-1)
		draws[i] = pool[j]
		out[i] = lps[j]
	}
	return draws, out, sm.K
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func matVec(a, x []float64, k int) []float64 {
	out := make([]float64, k)
	for i := 0; i < k; i++ {
		s := 0.0
		for j := 0; j < k; j++ {
			s += a[i*k+j] * x[j]
		}
		out[i] = s
	}
	return out
}

// invUpper inverts an upper-triangular m×m matrix, nil if singular.
func invUpper(r []float64, m int) []float64 {
	inv := make([]float64, m*m)
	for j := 0; j < m; j++ {
		if r[j*m+j] == 0 || math.IsNaN(r[j*m+j]) {
			return nil
		}
	}
	for j := m - 1; j >= 0; j-- {
		inv[j*m+j] = 1 / r[j*m+j]
		for i := j - 1; i >= 0; i-- {
			s := 0.0
			for l := i + 1; l <= j; l++ {
				s += r[i*m+l] * inv[l*m+j]
			}
			inv[i*m+j] = -s / r[i*m+i]
		}
	}
	return inv
}

// cholesky factors a symmetric positive-definite n×n matrix in place into its lower factor
// (the strict upper part is zeroed); false if it is not positive definite.
func cholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		s := a[j*n+j]
		for k := 0; k < j; k++ {
			s -= a[j*n+k] * a[j*n+k]
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		ljj := math.Sqrt(s)
		a[j*n+j] = ljj
		for i := j + 1; i < n; i++ {
			t := a[i*n+j]
			for k := 0; k < j; k++ {
				t -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = t / ljj
		}
		for i := 0; i < j; i++ {
			a[i*n+j] = 0
		}
	}
	return true
}

// cov is the approximation's covariance, d×d row-major.
func (b *bfgsNormal) cov() []float64 {
	d := len(b.mu)
	sq := make([]float64, d*d) // a square root S of Σ, Σ = S Sᵀ
	if b.dense != nil {
		copy(sq, b.dense)
	} else {
		k := len(b.q)
		// S = diag(√α) (I + Q (L − I) Qᵀ)
		lm := make([]float64, k*k)
		copy(lm, b.lk)
		for a := 0; a < k; a++ {
			lm[a*k+a]--
		}
		ql := make([]float64, d*k) // Q (L − I)
		for i := 0; i < d; i++ {
			for c := 0; c < k; c++ {
				s := 0.0
				for a := c; a < k; a++ {
					s += b.q[a][i] * lm[a*k+c]
				}
				ql[i*k+c] = s
			}
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				s := 0.0
				if i == j {
					s = 1
				}
				for c := 0; c < k; c++ {
					s += ql[i*k+c] * b.q[c][j]
				}
				sq[i*d+j] = b.sqrtAlpha[i] * s
			}
		}
	}
	sig := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s := 0.0
			ri, rj := sq[i*d:i*d+d], sq[j*d:j*d+d]
			for l, v := range ri {
				s += v * rj[l]
			}
			sig[i*d+j], sig[j*d+i] = s, s
		}
	}
	return sig
}
