package step

import "math"

// Adapt selects how HMC and NUTS adapt their metric during warm-up.
type Adapt int

const (
	// AdaptGradDiag (this package's zero value; package pm defaults to AdaptLowRank, see
	// pm.Metric: stochvol's ESS per gradient halves with AdaptGradDiag, whose diagonal
	// shrinks coordinates correlated with many others) estimates a diagonal inverse metric from
	// both draws and gradients, sqrt(var(draws)/var(grads)), in the spirit of
	// nutpie: the estimate is exact for Gaussians after a few draws, so it
	// uses short overlapping windows and needs fewer warm-up draws. It
	// starts from 1/|∇logp| at the initial point.
	//
	// Why the default (measured, 4 chains × 1000 draws, 4 seeds): with
	// 1000 warm-up iterations it matched or beat AdaptDiag in ESS per
	// gradient (eight schools non-centred 33 vs 29 per 1000 gradients,
	// Stan 36; two Poisson log-rates, one scaled by 100: 139 vs 57), and
	// on badly scaled posteriors it needs far fewer warm-up gradients
	// (100-d normal with scales e^-3..e^3: 45k vs 380k), so 400 warm-up
	// iterations suffice (eight schools: 49 per 1000 gradients).
	AdaptGradDiag Adapt = iota
	// AdaptDiag is Stan's windowed diagonal variance adaptation.
	AdaptDiag
	// AdaptDense adapts a dense inverse metric in Stan's windows, estimated at the end of each
	// window from the covariances of the window's draws and of their gradients (their
	// geometric mean, exact for Gaussian posteriors however badly the window mixed; see
	// denseFromDrawsAndGrads), with Stan's estimator as the fallback where that fails. On a
	// regression on calendar years (intercept–slope correlation −0.99998) it reaches a
	// mean tree depth of 2.3 after 60k warm-up gradients per chain, where Stan's estimator
	// stays at depth 7.6 after 600k (go test ./pm -run DenseMetricOnCollinear -v).
	AdaptDense
	// AdaptNone keeps the unit metric (the step size is still adapted).
	AdaptNone
	// AdaptLowRank adapts nutpie's low-rank modified metric, M⁻¹ = S(I + U(Λ − I)Uᵀ)S: the
	// diagonal S² from √(var x / var ∇logp) and a correction along the directions where the
	// draws' and gradients' covariances, in the space scaled by S, disagree most with the
	// diagonal (see lowRankEstimate), in nutpie's switching windows. A leapfrog step costs
	// O(n·k) for k directions. Above 2000 coordinates it is AdaptDiag (the windows keep up
	// to 160 draws and gradients). Package pm's default: over the benchmark suite and five
	// seeds its median ESS per gradient is 1.07–2.68× Stan's on every model.
	AdaptLowRank
)

// String names the adaptation as in options and reports.
func (a Adapt) String() string {
	switch a {
	case AdaptGradDiag:
		return "grad_diag"
	case AdaptDiag:
		return "diag"
	case AdaptDense:
		return "dense"
	case AdaptNone:
		return "unit"
	case AdaptLowRank:
		return "lowrank"
	}
	return "unknown"
}

// dualAveraging is Nesterov dual averaging of the log step size (Hoffman &
// Gelman 2014, Alg. 5; Stan's stepsize_adaptation).
type dualAveraging struct {
	delta, gamma, kappa, t0 float64
	mu                      float64
	counter, sBar, xBar     float64
}

func (d *dualAveraging) restart(eps float64) {
	d.mu = math.Log(10 * eps)
	d.counter, d.sBar, d.xBar = 0, 0, 0
}

// learn updates with the acceptance statistic of the last transition and
// returns the next step size.
func (d *dualAveraging) learn(accept float64) float64 {
	d.counter++
	if math.IsNaN(accept) {
		accept = 0 // a transition that could not be scored counts as rejected
	} else if accept > 1 {
		accept = 1
	}
	eta := 1 / (d.counter + d.t0)
	d.sBar = (1-eta)*d.sBar + eta*(d.delta-accept)
	x := d.mu - d.sBar*math.Sqrt(d.counter)/d.gamma
	xEta := math.Pow(d.counter, -d.kappa)
	d.xBar = (1-xEta)*d.xBar + xEta*x
	return math.Exp(x)
}

// final is the step size to sample with after warm-up.
func (d *dualAveraging) final() float64 { return math.Exp(d.xBar) }

// stanWindows is Stan's windowed adaptation schedule (windowed_adaptation.
// hpp): an initial fast buffer, slow windows doubling from the base window,
// the last stretched to the terminal fast buffer.
type stanWindows struct {
	numWarmup, initBuffer, termBuffer, baseWindow int
	counter, windowSize, nextWindow               int
	off                                           bool
}

func newStanWindows(numWarmup, initBuffer, termBuffer, baseWindow int) *stanWindows {
	w := &stanWindows{numWarmup: numWarmup, initBuffer: initBuffer, termBuffer: termBuffer, baseWindow: baseWindow}
	if numWarmup < 20 {
		// Stan: "No variance estimation is performed for num_warmup < 20".
		w.off = true
		return w
	}
	if initBuffer+baseWindow+termBuffer > numWarmup {
		// Stan scales the buffers to 15% / 75% / 10% of short warm-ups.
		w.initBuffer = int(0.15 * float64(numWarmup))
		w.termBuffer = int(0.1 * float64(numWarmup))
		w.baseWindow = numWarmup - (w.initBuffer + w.termBuffer)
	}
	w.windowSize = w.baseWindow
	w.nextWindow = w.initBuffer + w.windowSize - 1
	return w
}

func (w *stanWindows) inWindow() bool {
	return !w.off && w.counter >= w.initBuffer && w.counter < w.numWarmup-w.termBuffer && w.counter != w.numWarmup
}

func (w *stanWindows) endWindow() bool {
	return !w.off && w.counter == w.nextWindow && w.counter != w.numWarmup
}

func (w *stanWindows) computeNext() {
	if w.nextWindow == w.numWarmup-w.termBuffer-1 {
		return
	}
	w.windowSize *= 2
	w.nextWindow = w.counter + w.windowSize
	if w.nextWindow != w.numWarmup-w.termBuffer-1 {
		boundary := w.nextWindow + 2*w.windowSize
		if boundary >= w.numWarmup-w.termBuffer {
			w.nextWindow = w.numWarmup - w.termBuffer - 1
		}
	}
}

// gradWindows schedules the gradient-informed diagonal adaptation: two
// overlapping estimators, the metric taken from the older one each time the
// younger has seen switchFreq draws (10 in the first 30% of warm-up, then
// 80, as nuts-rs' early/late mass-matrix switch frequencies), and no metric
// change in the last 15% of warm-up (nutpie's step_size_window), which is
// left to settle the step size.
type gradWindows struct {
	tune, earlyEnd, metricEnd int
	off                       bool
}

func newGradWindows(tune int) *gradWindows {
	g := &gradWindows{tune: tune}
	if tune < 20 {
		g.off = true
		return g
	}
	g.earlyEnd = int(0.3 * float64(tune))
	g.metricEnd = tune - int(math.Ceil(0.15*float64(tune)))
	return g
}

func (g *gradWindows) switchFreq(iter int) int {
	if iter < g.earlyEnd {
		return 10
	}
	return 80
}

// adaptOptions are the warm-up settings shared by HMC and NUTS.
type adaptOptions struct {
	adapt                              Adapt
	targetAccept, gamma, kappa, t0     float64
	initBuffer, termBuffer, baseWindow int
	fixedStepSize                      bool
	buffers                            *WarmupBuffers // lends AdaptLowRank's warm-up memory
}

// adapter drives step-size and metric adaptation for one chain.
type adapter struct {
	opt    adaptOptions
	da     dualAveraging
	n      int
	sw     *stanWindows
	gw     *gradWindows
	est    *welford // draws (Stan) or draws for grad adaptation (foreground)
	estG   *welford // gradients, foreground
	bgX    *welford
	bgG    *welford
	buf    []float64
	bufG   []float64
	lr     *lowRankAdapt
	iter   int
	inited bool
}

func newAdapter(n int, opt adaptOptions, tune int) *adapter {
	if opt.adapt == AdaptLowRank && n > lowRankMaxDim {
		// Keeping 160 draws and gradients of more coordinates costs too much memory and
		// time: Stan's diagonal adaptation instead.
		opt.adapt = AdaptDiag
	}
	a := &adapter{opt: opt, n: n}
	a.da = dualAveraging{delta: opt.targetAccept, gamma: opt.gamma, kappa: opt.kappa, t0: opt.t0}
	switch opt.adapt {
	case AdaptDiag, AdaptDense:
		dense := opt.adapt == AdaptDense
		a.sw = newStanWindows(tune, opt.initBuffer, opt.termBuffer, opt.baseWindow)
		a.est = newWelford(n, dense)
		if dense {
			a.buf = make([]float64, n*n)
			a.estG = newWelford(n, true)
			a.bufG = make([]float64, n*n)
		} else {
			a.buf = make([]float64, n)
		}
	case AdaptGradDiag:
		a.gw = newGradWindows(tune)
		a.est, a.estG = newWelford(n, false), newWelford(n, false)
		a.bgX, a.bgG = newWelford(n, false), newWelford(n, false)
		a.buf, a.bufG = make([]float64, n), make([]float64, n)
	case AdaptLowRank:
		a.lr = newLowRankAdapt(n, tune, opt.buffers)
		a.buf = make([]float64, n)
	}
	return a
}

// initialMetric sets the metric before the first transition. The gradient
// adaptation starts from M⁻¹ = 1/|∇logp| (nuts-rs does the same), which
// already has the right scale for each coordinate of a Gaussian-like
// posterior at a typical point.
func (a *adapter) initialMetric(m *metric, g []float64) {
	switch {
	case a.opt.adapt == AdaptGradDiag && !a.gw.off:
	case a.opt.adapt == AdaptLowRank && !a.lr.off:
	default:
		return
	}
	for i, gi := range g {
		v := 1 / math.Abs(gi)
		if !finite(v) || v > 1e20 {
			v = 1e20
		}
		if v < 1e-20 {
			v = 1e-20
		}
		a.buf[i] = v
	}
	// A coordinate with zero gradient would get a huge variance; fall back
	// to the geometric mean of the others to stay on a sane scale.
	lsum, cnt := 0.0, 0
	for _, v := range a.buf {
		if v < 1e20 {
			lsum += math.Log(v)
			cnt++
		}
	}
	fill := 1.0
	if cnt > 0 {
		fill = math.Exp(lsum / float64(cnt))
	}
	for i, v := range a.buf {
		if v >= 1e20 {
			a.buf[i] = fill
		}
	}
	m.setDiag(a.buf)
}

// update learns from one warm-up transition ending at (q, g) with the given
// acceptance statistic. It returns the new step size and whether the step size
// is to be searched afresh for a changed metric (then the caller re-initializes
// it and restarts dual averaging); a metric that changes without that (the
// low-rank adaptation's later switches) keeps the step size's adaptation going.
func (a *adapter) update(m *metric, eps float64, q, g []float64, accept float64) (float64, bool) {
	if !a.opt.fixedStepSize {
		eps = a.da.learn(accept)
	}
	changed := false
	switch a.opt.adapt {
	case AdaptDiag, AdaptDense:
		w := a.sw
		if w.inWindow() {
			a.est.add(q)
			if a.estG != nil {
				a.estG.add(g)
			}
		}
		if w.endWindow() {
			w.computeNext()
			a.est.variance(a.buf)
			// Stan's regularization: shrink toward 1e-3 (times I) with
			// weight 5/(n+5) (var_adaptation.hpp, covar_adaptation.hpp).
			cnt := a.est.count
			s := cnt / (cnt + 5)
			r := 1e-3 * 5 / (cnt + 5)
			if a.opt.adapt == AdaptDiag {
				for i := range a.buf {
					a.buf[i] = s*a.buf[i] + r
				}
				m.setDiag(a.buf)
				changed = true
			} else {
				n := a.n
				a.estG.variance(a.bufG)
				// The covariance of the window's draws combined with that of their
				// gradients; Stan's estimator (the draws' covariance shrunk towards
				// 10⁻³·I) only where that fails.
				if c, ok := denseFromDrawsAndGrads(a.buf, a.bufG, n, cnt); ok {
					changed = m.setDense(c)
				}
				if !changed {
					for i := range a.buf {
						a.buf[i] *= s
					}
					for i := 0; i < n; i++ {
						a.buf[i*n+i] += r
					}
					changed = m.setDense(a.buf)
				}
				a.estG.reset()
			}
			a.est.reset()
		}
		w.counter++
	case AdaptGradDiag:
		gw := a.gw
		if !gw.off && a.iter < gw.metricEnd {
			a.est.add(q)
			a.estG.add(g)
			a.bgX.add(q)
			a.bgG.add(g)
			last := a.iter == gw.metricEnd-1
			if int(a.bgX.count) >= gw.switchFreq(a.iter) || last {
				a.gradMetric(m)
				changed = true
				// The background estimator becomes the foreground one.
				a.est, a.bgX = a.bgX, a.est
				a.estG, a.bgG = a.bgG, a.estG
				a.bgX.reset()
				a.bgG.reset()
			}
		}
	case AdaptLowRank:
		_, changed = a.lr.update(m, a.iter, q, g)
	}
	a.iter++
	return eps, changed
}

// gradMetric sets M⁻¹ = sqrt(var(q)/var(g)) from the foreground estimators.
func (a *adapter) gradMetric(m *metric) {
	a.est.variance(a.buf)
	a.estG.variance(a.bufG)
	for i := range a.buf {
		vx, vg := a.buf[i], a.bufG[i]
		v := math.Sqrt(vx / vg)
		if !finite(v) || v <= 0 {
			// Constant gradient or draws: fall back to the draw variance.
			v = vx
			if !finite(v) || v <= 0 {
				v = m.inv[i]
			}
		}
		a.buf[i] = math.Min(math.Max(v, 1e-20), 1e20)
	}
	m.setDiag(a.buf)
}
