package pm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gopm-dev/gopm/pm/step"
)

// FitMethod chooses the approximation Fit computes: ADVI, FullRankADVI or Pathfinder.
type FitMethod struct {
	kind string // "meanfield", "fullrank", "pathfinder"
}

// ADVI is mean-field automatic differentiation variational inference (Kucukelbir, Tran,
// Ranganath, Gelman and Blei 2017): a normal with independent coordinates on the unconstrained
// space, fitted by stochastic gradient ascent of the ELBO with the reparameterization gradient.
// It underestimates posterior variances when the posterior is correlated. By default both ADVI
// methods start at, and are preconditioned by, the normal approximation of one Pathfinder path
// (FitNoWarmStart starts at the initial point with unit scales, as Stan and PyMC do).
func ADVI() FitMethod { return FitMethod{kind: "meanfield"} }

// FullRankADVI is ADVI with a normal of full covariance (a Cholesky factor) on the
// unconstrained space: it captures correlations, at O(d²) cost per iteration.
func FullRankADVI() FitMethod { return FitMethod{kind: "fullrank"} }

// Pathfinder is the variational method of Zhang, Carpenter, Gelman and Vehtari (2022):
// L-BFGS runs from random starts, the normal approximations from its inverse-Hessian
// estimates along each path are scored by their ELBO, the best of each path is kept, and
// Pareto-smoothed importance resampling combines the paths (FitPaths; 4 by default, 1 for
// single-path Pathfinder).
func Pathfinder() FitMethod { return FitMethod{kind: "pathfinder"} }

// String names the method.
func (f FitMethod) String() string {
	switch f.kind {
	case "meanfield":
		return "ADVI (mean-field)"
	case "fullrank":
		return "ADVI (full-rank)"
	case "pathfinder":
		return "Pathfinder"
	}
	return "unknown fit method"
}

// FitOption configures Fit.
type FitOption func(*fitConfig)

type fitConfig struct {
	seed        uint64
	ctx         context.Context
	progress    func(step.Progress)
	maxIter     int
	tol         float64
	optimizer   string
	lr          float64
	gradSamples int
	elboSamples int
	evalEvery   int
	draws       int
	paths       int
	history     int
	backend     string
	initvals    Point
	warmStart   bool
}

// FitSeed makes the fit reproducible (default 0).
func FitSeed(s uint64) FitOption { return func(c *fitConfig) { c.seed = s } }

// FitContext stops the fit when ctx ends: Fit then returns what it computed so far with
// Approximation.Cancelled set and a warning, as Sample does.
func FitContext(ctx context.Context) FitOption { return func(c *fitConfig) { c.ctx = ctx } }

// FitProgress is called with the fit's progress (iterations done, the latest ELBO estimate)
// at most every 100 ms and once at the end; the REPL and the kernel draw a progress bar with it.
func FitProgress(f func(step.Progress)) FitOption { return func(c *fitConfig) { c.progress = f } }

// FitMaxIter caps the iterations: ADVI's stochastic-gradient steps (default 10000) or each
// Pathfinder path's L-BFGS iterations (default 1000).
func FitMaxIter(n int) FitOption { return func(c *fitConfig) { c.maxIter = n } }

// FitTolerance is ADVI's convergence threshold on the relative ELBO change (default 0.001;
// Stan's tol_rel_obj is 0.01, which stopped fits of the benchmark suite far from their optimum):
// the fit stops when the mean or the median of the last max(0.1·FitMaxIter/FitEvalEvery, 2)
// relative changes, measured every FitEvalEvery iterations with the same draws, falls below it.
func FitTolerance(t float64) FitOption { return func(c *fitConfig) { c.tol = t } }

// FitOptimizer chooses ADVI's step-size rule: "adam" (Kingma and Ba 2015, learning rate 0.05
// unless FitLearningRate sets it; the default) or "stan" (Stan's adaptive sequence
// η·i^(−1/2)/(1+√s_i), s_i a moving average of squared gradients, with η chosen among 100, 10,
// 1, 0.1, 0.01 by a 50-iteration trial of each unless FitLearningRate sets it).
func FitOptimizer(name string) FitOption {
	return func(c *fitConfig) { c.optimizer = strings.ToLower(name) }
}

// FitLearningRate sets the step size η (Stan sequence) or Adam's learning rate.
func FitLearningRate(eta float64) FitOption { return func(c *fitConfig) { c.lr = eta } }

// FitGradSamples is the number of Monte Carlo draws per ADVI gradient (default 1, as Stan).
func FitGradSamples(n int) FitOption { return func(c *fitConfig) { c.gradSamples = n } }

// FitELBOSamples is the number of draws per ELBO estimate (default 100 for ADVI, 25 per
// Pathfinder iteration, as Stan).
func FitELBOSamples(n int) FitOption { return func(c *fitConfig) { c.elboSamples = n } }

// FitEvalEvery is the number of ADVI iterations between ELBO estimates (default 100).
func FitEvalEvery(n int) FitOption { return func(c *fitConfig) { c.evalEvery = n } }

// FitDraws is the number of draws in Approximation.Trace (default 1000); Pathfinder draws as
// many from each path before resampling.
func FitDraws(n int) FitOption { return func(c *fitConfig) { c.draws = n } }

// FitPaths is Pathfinder's number of paths (default 4; 1 is single-path Pathfinder, whose draws
// come from its best normal approximation without resampling).
func FitPaths(n int) FitOption { return func(c *fitConfig) { c.paths = n } }

// FitHistory is the number of L-BFGS correction pairs Pathfinder's inverse-Hessian estimates
// use (default 5, as Stan).
func FitHistory(n int) FitOption { return func(c *fitConfig) { c.history = n } }

// FitNoWarmStart starts ADVI at the initial point with unit scales, as Stan and PyMC do,
// instead of at a Pathfinder path's approximation (which also preconditions the fit).
func FitNoWarmStart() FitOption { return func(c *fitConfig) { c.warmStart = false } }

// FitBackend runs the model on the named backend.
func FitBackend(name string) FitOption { return func(c *fitConfig) { c.backend = name } }

// FitInitvals starts ADVI's mean (or Pathfinder's paths, before their jitter) at these values,
// given as for Initvals.
func FitInitvals(p Point) FitOption { return func(c *fitConfig) { c.initvals = p } }

// Approximation is the result of Fit: a normal approximation of the posterior on the
// unconstrained space (ADVI) or importance-resampled draws from Pathfinder's normal
// approximations, with its ELBO history and draws in the model's space.
type Approximation struct {
	// Method names the method, e.g. "ADVI (full-rank)" or "Pathfinder (4 paths)".
	Method string
	// Names are the value variables' coordinates, in the order of Mean and SD ("beta_log__[0]").
	Names []string
	// Mean and SD are the approximation's means and standard deviations on the unconstrained
	// space (for Pathfinder, those of the resampled draws).
	Mean, SD []float64
	// Chol is the Cholesky factor of full-rank ADVI's covariance, row-major d×d lower
	// triangular (nil for the other methods).
	Chol []float64
	// ELBO is the history of ELBO estimates, taken at the iterations in ELBOIter. For
	// Pathfinder it is the ELBO along the path whose approximation scored best, one per
	// L-BFGS iteration; PathELBO holds every path's.
	ELBO     []float64
	ELBOIter []int
	PathELBO [][]float64
	// Iterations is the number of optimization steps made (summed over Pathfinder's paths).
	Iterations int
	// Converged reports ADVI's relative-ELBO convergence or every path's L-BFGS convergence.
	Converged bool
	// Cancelled is true when the context ended the fit; the result holds what was computed.
	Cancelled bool
	// LearningRate is the step size η ADVI used (chosen by adaptation unless set).
	LearningRate float64
	// GradEvals and LogpEvals count gradient and log-density-only evaluations of the model.
	GradEvals, LogpEvals int64
	// Seconds is the wall time of the fit.
	Seconds float64
	// ParetoK is the Pareto shape k of the importance ratios log p − log q of the draws (NaN
	// for ADVI's): below 0.5 the approximation is close; above 0.7 it is not to be trusted.
	ParetoK float64
	// Trace holds FitDraws draws of every free variable (constrained) and deterministic, as
	// one chain, so that Summary and every plot work on it.
	Trace *Trace
	// Warnings are the fit's warnings in words.
	Warnings []string

	m      *Model
	ld     *LogDensity
	kind   string
	seed   uint64
	nCalls uint64
	paths  []*bfgsNormal // Pathfinder: each path's best approximation
}

// String describes the fit in one paragraph.
func (a *Approximation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d iterations, %d gradient evaluations, %.3g s", a.Method, a.Iterations, a.GradEvals, a.Seconds)
	switch {
	case a.Cancelled:
		b.WriteString(" (interrupted)")
	case a.Converged:
		b.WriteString(" (converged)")
	default:
		b.WriteString(" (NOT converged)")
	}
	if n := len(a.ELBO); n > 0 {
		if a.kind == "pathfinder" {
			fmt.Fprintf(&b, "\nbest ELBO %.6g", maxOf(a.ELBO))
		} else {
			fmt.Fprintf(&b, "\nELBO %.6g", a.ELBO[n-1])
		}
	}
	if !math.IsNaN(a.ParetoK) {
		fmt.Fprintf(&b, "\nPareto k %.2f", a.ParetoK)
	}
	for _, w := range a.Warnings {
		b.WriteString("\nWarning: " + w)
	}
	return b.String()
}

// MeanPoint is the approximation's mean as a point of value variables (unconstrained), e.g.
// to start an optimizer or a sampler there.
func (a *Approximation) MeanPoint() Point { return a.ld.Unflatten(a.Mean) }

// Fit approximates the posterior with ADVI, full-rank ADVI or Pathfinder. Models with discrete
// free variables, bad settings and a starting point whose log-density is not finite are
// errors. A diverging ADVI (a non-finite ELBO or parameters) stops with an error naming the
// iteration and the last finite ELBO, and the Approximation is returned as well, with its
// history. An interrupted fit returns what it computed with no error.
func (m *Model) Fit(method FitMethod, opts ...FitOption) (a *Approximation, err error) {
	defer catchInto(&err)
	c := fitConfig{ctx: context.Background(), optimizer: "adam", warmStart: true, gradSamples: 1, evalEvery: 100, draws: 1000,
		paths: 4, history: 5, tol: 0.001}
	for _, o := range opts {
		o(&c)
	}
	switch method.kind {
	case "meanfield", "fullrank", "pathfinder":
	default:
		return nil, &Error{Op: "Fit", Msg: "unknown method (use pm.ADVI(), pm.FullRankADVI() or pm.Pathfinder())"}
	}
	if err := c.check(method.kind); err != nil {
		return nil, err
	}
	ld, x0, err := m.fitStart(c)
	if err != nil {
		return nil, err
	}
	a = &Approximation{Method: method.String(), Names: ld.coordNames(), ParetoK: math.NaN(), m: m, ld: ld,
		kind: method.kind, seed: c.seed}
	start := time.Now()
	switch method.kind {
	case "meanfield", "fullrank":
		err = a.runADVI(c, x0, method.kind == "fullrank")
	case "pathfinder":
		err = a.runPathfinder(c, x0)
	}
	a.Seconds = time.Since(start).Seconds()
	if a.Cancelled {
		a.Warnings = append(a.Warnings, "the fit was interrupted: the approximation is the one reached so far")
	}
	if err != nil {
		return a, err
	}
	if a.Mean == nil { // interrupted before anything was computed
		return a, nil
	}
	if a.Trace, err = a.sampleTrace(c.draws); err != nil {
		return a, err
	}
	if a.kind == "pathfinder" {
		a.Mean, a.SD = traceMoments(a.ld, a.Trace.unconstrained)
	}
	if !math.IsNaN(a.ParetoK) && a.ParetoK > 0.7 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("Pareto k = %.2f > 0.7: the approximation is far from the posterior; sample with NUTS (pm.Init(\"pathfinder\") starts it from here)", a.ParetoK))
	}
	a.Trace.Warnings = append(a.Trace.Warnings, a.Warnings...)
	return a, nil
}

// check validates the settings.
func (c *fitConfig) check(kind string) error {
	bad := func(format string, args ...any) error {
		return &Error{Op: "Fit", Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.maxIter < 0:
		return bad("FitMaxIter must be positive, got %d", c.maxIter)
	case !(c.tol > 0):
		return bad("FitTolerance must be positive, got %v", c.tol)
	case c.optimizer != "stan" && c.optimizer != "adam":
		return bad("unknown optimizer %q (use stan or adam)", c.optimizer)
	case c.lr < 0 || math.IsNaN(c.lr) || math.IsInf(c.lr, 0):
		return bad("FitLearningRate must be positive and finite, got %v", c.lr)
	case c.gradSamples < 1:
		return bad("FitGradSamples must be at least 1, got %d", c.gradSamples)
	case c.elboSamples < 0:
		return bad("FitELBOSamples must be at least 1, got %d", c.elboSamples)
	case c.evalEvery < 1:
		return bad("FitEvalEvery must be at least 1, got %d", c.evalEvery)
	case c.draws < 1:
		return bad("FitDraws must be at least 1, got %d", c.draws)
	case c.paths < 1:
		return bad("FitPaths must be at least 1, got %d", c.paths)
	case c.history < 1:
		return bad("FitHistory must be at least 1, got %d", c.history)
	}
	if c.ctx == nil {
		c.ctx = context.Background()
	}
	if c.maxIter == 0 {
		c.maxIter = 10000
		if kind == "pathfinder" {
			c.maxIter = 1000
		}
	}
	if c.elboSamples == 0 {
		c.elboSamples = 100
		if kind == "pathfinder" {
			c.elboSamples = 25
		}
	}
	return nil
}

// fitStart compiles the model, rejects discrete free variables and models without a gradient,
// and returns the checked starting point.
func (m *Model) fitStart(c fitConfig) (*LogDensity, []float64, error) {
	ld, err := m.Compile(Backend(c.backend))
	if err != nil {
		return nil, nil, err
	}
	var discrete []string
	for _, b := range ld.Blocks() {
		if b.Discrete {
			discrete = append(discrete, b.Var)
		}
	}
	if len(discrete) > 0 {
		return nil, nil, &Error{Op: "Fit", Var: strings.Join(discrete, ", "),
			Msg: "is discrete: variational inference and Pathfinder need continuous free variables only (marginalize it out, or use Sample)"}
	}
	if !ld.HasGrad() {
		return nil, nil, &Error{Op: "Fit", Msg: "the model has no gradient: " + ld.NoGradReason()}
	}
	start, err := m.InitialPoint()
	if err != nil {
		return nil, nil, err
	}
	if err := m.mergeInitvals(start, c.initvals); err != nil {
		return nil, nil, err
	}
	if err := m.checkInitial("Fit", start); err != nil {
		return nil, nil, err
	}
	x0, err := ld.Flatten(start)
	if err != nil {
		return nil, nil, err
	}
	return ld, x0, nil
}

// coordNames names every unconstrained coordinate after its value variable.
func (ld *LogDensity) coordNames() []string {
	names := make([]string, ld.Dim())
	for _, b := range ld.Blocks() {
		for i := 0; i < b.Size; i++ {
			names[b.Offset+i] = fmt.Sprintf("%s[%d]", b.ValueName, i)
		}
		if b.Size == 1 {
			names[b.Offset] = b.ValueName
		}
	}
	return names
}

// fitProgress rate-limits progress reports.
type fitProgress struct {
	f     func(step.Progress)
	label string
	total int
	start time.Time
	last  time.Time
}

func newFitProgress(f func(step.Progress), label string, total int) *fitProgress {
	now := time.Now()
	return &fitProgress{f: f, label: label, total: total, start: now, last: now}
}

func (p *fitProgress) report(done int, elbo float64, grads int64, finished bool) {
	if p == nil || p.f == nil {
		return
	}
	now := time.Now()
	if !finished && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.f(step.Progress{Fit: p.label, ELBO: elbo, Done: done, Total: p.total, GradEvals: grads,
		Elapsed: now.Sub(p.start), Finished: finished})
}

// Sample draws n times from the approximation and returns them as a one-chain Trace in the
// model's space, deterministics included (Pathfinder: n draws importance-resampled from fresh
// draws of every path's approximation, and ParetoK updated). Each call gives new draws;
// the sequence of calls is reproducible from FitSeed.
func (a *Approximation) Sample(n int) (*Trace, error) {
	if n < 1 {
		return nil, &Error{Op: "Approximation.Sample", Msg: fmt.Sprintf("n must be at least 1, got %d", n)}
	}
	if a == nil || a.ld == nil || a.Mean == nil {
		return nil, &Error{Op: "Approximation.Sample", Msg: "the approximation is empty (the fit was interrupted before its first step)"}
	}
	return a.sampleTrace(n)
}

// rng returns a new random source for the next call that draws.
func (a *Approximation) rng() *rand.Rand {
	a.nCalls++
	return step.ChainRand(a.seed^0x5bd1e995, int(a.nCalls)+1000)
}

// sampleTrace draws n unconstrained points and maps them to a trace.
func (a *Approximation) sampleTrace(n int) (*Trace, error) {
	ld := a.ld
	r := a.rng()
	d := ld.Dim()
	var draws [][]float64
	var lps []float64
	switch a.kind {
	case "pathfinder":
		var k float64
		draws, lps, k = resamplePaths(ld, a.paths, n, r)
		a.ParetoK = k
	default:
		draws = make([][]float64, n)
		lps = make([]float64, n)
		eta := make([]float64, d)
		for i := range draws {
			for j := range eta {
				eta[j] = r.NormFloat64()
			}
			x := make([]float64, d)
			a.transform(eta, x)
			draws[i] = x
			lps[i] = ld.Logp(x)
		}
	}
	res := &step.Result{Method: a.Method, Chains: []step.Chain{{Draws: draws, Stats: make([]step.Stats, n)}}}
	for i := range lps {
		res.Chains[0].Stats[i] = step.Stats{Lp: lps[i], StepSize: math.NaN()}
	}
	tr, err := a.m.buildTrace(ld, res, false)
	if err != nil {
		return nil, err
	}
	tr.Sampler = a.Method
	tr.GradEvals = []int64{a.GradEvals}
	tr.unconstrained = draws
	return tr, nil
}

// transform maps standard-normal eta to the approximation's space: mean + scale·eta.
func (a *Approximation) transform(eta, x []float64) {
	d := len(a.Mean)
	if a.Chol != nil {
		for i := 0; i < d; i++ {
			s := a.Mean[i]
			row := a.Chol[i*d : i*d+i+1]
			for j, l := range row {
				s += l * eta[j]
			}
			x[i] = s
		}
		return
	}
	for i := range x {
		x[i] = a.Mean[i] + a.SD[i]*eta[i]
	}
}

// traceMoments are the means and sds of unconstrained draws.
func traceMoments(ld *LogDensity, draws [][]float64) (mean, sd []float64) {
	d := ld.Dim()
	mean, sd = make([]float64, d), make([]float64, d)
	n := float64(len(draws))
	for _, x := range draws {
		for j, v := range x {
			mean[j] += v / n
		}
	}
	for _, x := range draws {
		for j, v := range x {
			sd[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / math.Max(n-1, 1))
	}
	return mean, sd
}

// initFromFit fits the named approximation ("advi" or "pathfinder") for Sample's Init option
// and returns one starting point per chain (draws of the approximation) and the diagonal
// inverse metric (the approximation's variances).
func (m *Model) initFromFit(kind string, chains int, seed uint64, ctx context.Context, backend string) (inits [][]float64, invMetric []float64, grads int64, err error) {
	method := Pathfinder()
	if kind == "advi" {
		method = ADVI()
	}
	a, err := m.Fit(method, FitSeed(seed), FitContext(ctx), FitBackend(backend))
	if err != nil {
		return nil, nil, 0, &Error{Op: "Sample", Msg: fmt.Sprintf("Init(%q): %v", kind, err)}
	}
	if a.Cancelled || a.Trace == nil {
		return nil, nil, 0, &Error{Op: "Sample", Msg: fmt.Sprintf("Init(%q) was interrupted", kind)}
	}
	u := a.Trace.unconstrained
	for c := 0; c < chains; c++ {
		inits = append(inits, append([]float64(nil), u[(c*len(u))/chains]...))
	}
	invMetric = make([]float64, len(a.SD))
	for i, s := range a.SD {
		v := s * s
		if !(v > 0) || math.IsInf(v, 0) {
			v = 1
		}
		invMetric[i] = v
	}
	return inits, invMetric, a.GradEvals, nil
}

// Init chooses how NUTS starts: "jitter+adapt_diag" (the initial point with PyMC's jitter; the
// default), "adapt_diag" (the initial point, no jitter), "advi" (PyMC's advi+adapt_diag: a
// mean-field ADVI fit, each chain starting at one of its draws with its variances as the
// initial diagonal inverse metric) or "pathfinder" (the same from multi-path Pathfinder).
// The fit's gradient evaluations are in Trace.InitGradEvals.
func Init(method string) SampleOption {
	return func(c *sampleConfig) {
		switch strings.ToLower(method) {
		case "jitter+adapt_diag", "":
			c.init = ""
		case "adapt_diag":
			c.init, c.noJitter = "", true
		case "advi", "advi+adapt_diag":
			c.init = "advi"
		case "pathfinder":
			c.init = "pathfinder"
		default:
			panic(&Error{Op: "Init", Msg: fmt.Sprintf("unknown initialization %q (use jitter+adapt_diag, adapt_diag, advi or pathfinder)", method)})
		}
	}
}
