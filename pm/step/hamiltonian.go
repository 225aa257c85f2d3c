package step

import (
	"fmt"
	"math"
)

// point is a phase-space point: position q, momentum p, gradient g of the
// log-density at q, velocity v = M⁻¹p (Stan's "p sharp"), log-density lp
// and kinetic energy kin. With a low-rank metric, ig = M⁻¹g too, so that a
// leapfrog step updates v by the same kicks as p (v += ε/2 M⁻¹g) and applies
// M⁻¹ once per gradient instead of twice per step (see metric.start).
type point struct {
	q, p, g, v, ig []float64
	lp, kin        float64
}

func newPoint(n int) point {
	b := make([]float64, 5*n)
	return point{q: b[:n:n], p: b[n : 2*n : 2*n], g: b[2*n : 3*n : 3*n], v: b[3*n : 4*n : 4*n], ig: b[4*n:]}
}

// energy is the Hamiltonian -lp + K(p); NaN counts as +Inf.
func (z *point) energy() float64 {
	h := -z.lp + z.kin
	if math.IsNaN(h) {
		return math.Inf(1)
	}
	return h
}

func (z *point) copyFrom(o *point) {
	copy(z.q, o.q)
	copy(z.p, o.p)
	copy(z.g, o.g)
	copy(z.v, o.v)
	copy(z.ig, o.ig)
	z.lp, z.kin = o.lp, o.kin
}

// hamOptions are the resolved settings shared by HMC and NUTS.
type hamOptions struct {
	adaptOptions
	stepSize  float64 // 0: start at 1 and use the heuristic
	maxDH     float64
	invMetric []float64
}

func resolveHam(name string, block []int, adapt Adapt, target, gamma, kappa, t0 float64, ib, tb, bw int, eps, maxDH float64, fixed bool, inv []float64, defTarget float64) (hamOptions, error) {
	o := hamOptions{}
	o.adapt = adapt
	o.targetAccept = orDefault(target, defTarget)
	o.gamma = orDefault(gamma, 0.05)
	o.kappa = orDefault(kappa, 0.75)
	o.t0 = orDefault(t0, 10)
	o.initBuffer = orDefaultInt(ib, 75)
	o.termBuffer = orDefaultInt(tb, 50)
	o.baseWindow = orDefaultInt(bw, 25)
	o.fixedStepSize = fixed
	o.stepSize = eps
	o.maxDH = orDefault(maxDH, 1000)
	o.invMetric = inv
	if !(o.targetAccept > 0 && o.targetAccept < 1) {
		return o, fmt.Errorf("step: %s: TargetAccept %v not in (0, 1)", name, o.targetAccept)
	}
	if eps < 0 || math.IsNaN(eps) {
		return o, fmt.Errorf("step: %s: StepSize %v is negative", name, eps)
	}
	if adapt < AdaptGradDiag || adapt > AdaptLowRank {
		return o, fmt.Errorf("step: %s: unknown Adapt %d", name, adapt)
	}
	if inv != nil {
		if len(inv) != len(block) {
			return o, fmt.Errorf("step: %s: InvMetric has length %d, block has %d coordinates", name, len(inv), len(block))
		}
		for i, v := range inv {
			if !(v > 0) || math.IsInf(v, 0) {
				return o, fmt.Errorf("step: %s: InvMetric[%d] = %v is not positive and finite", name, i, v)
			}
		}
	}
	return o, nil
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func orDefaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// hamiltonian is the machinery HMC and NUTS share: the density restricted
// to a block, the metric, the leapfrog integrator, step-size heuristics and
// warm-up adaptation.
type hamiltonian struct {
	d      GradDensity
	block  []int
	ident  bool // block is the whole point in order: no gather/scatter
	n      int
	opt    hamOptions
	xfull  []float64
	gfull  []float64
	met    *metric
	ad     *adapter
	eps    float64
	s      *State
	z      point // the current point of the chain
	tmp    point
	tuning bool // the last transition was a warm-up one
	start  bool // no transition made yet
}

func (h *hamiltonian) setup(d GradDensity, block []int, opt hamOptions) {
	h.d, h.block, h.opt = d, block, opt
	h.n = len(block)
	h.ident = isIdentity(block, d.Dim())
	if !h.ident {
		h.xfull = make([]float64, d.Dim())
		h.gfull = make([]float64, d.Dim())
	}
	h.z = newPoint(h.n)
	h.tmp = newPoint(h.n)
}

func (h *hamiltonian) init(tune int) {
	h.met = newMetric(h.n, h.opt.adapt == AdaptDense)
	if h.opt.adapt == AdaptLowRank {
		h.met.lowRankInit()
	}
	if h.opt.invMetric != nil {
		h.met.setDiag(h.opt.invMetric)
	}
	h.ad = newAdapter(h.n, h.opt.adaptOptions, tune)
	h.eps = h.opt.stepSize
	if h.eps == 0 {
		h.eps = 1 // Stan's default starting step size, refined by the heuristic
	}
	h.start = true
	h.tuning = false
}

// eval computes lp and gradient at block position q. Non-finite lp comes
// back as -Inf; the energy then is +Inf, which the samplers reject.
func (h *hamiltonian) eval(q, g []float64) float64 {
	h.s.NGrad++
	if h.ident {
		return cleanLp(h.d.LogpGrad(q, g))
	}
	for i, b := range h.block {
		h.xfull[b] = q[i]
	}
	lp := cleanLp(h.d.LogpGrad(h.xfull, h.gfull))
	for i, b := range h.block {
		g[i] = h.gfull[b]
	}
	return lp
}

// leapfrog moves z by one step of size eps (Stan's expl_leapfrog).
func (h *hamiltonian) leapfrog(z *point, eps float64) {
	half := 0.5 * eps
	if !h.met.dense && h.met.k == 0 {
		// Diagonal: the closing kick, v = M⁻¹p and the kinetic energy in
		// one pass (the arithmetic of metric.velocity).
		inv := h.met.inv[:len(z.q)]
		q := z.q
		p, g, v := z.p[:len(q)], z.g[:len(q)], z.v[:len(q)]
		for i := range q {
			pi := p[i] + half*g[i]
			p[i] = pi
			q[i] += eps * inv[i] * pi
		}
		z.lp = h.eval(q, g)
		k := 0.0
		for i, gi := range g {
			pi := p[i] + half*gi
			vi := inv[i] * pi
			p[i], v[i] = pi, vi
			k += pi * vi
		}
		z.kin = 0.5 * k
		return
	} else if !h.met.dense {
		// Low rank: v = M⁻¹p is linear in p, so each kick of p by ε/2 g kicks v by
		// ε/2 M⁻¹g, and M⁻¹ is applied once per gradient (ig is kept by metric.start
		// and by this step).
		// The vectors are resliced to one length so that the loops run
		// without bounds checks.
		q := z.q
		p, g, v, ig := z.p[:len(q)], z.g[:len(q)], z.v[:len(q)], z.ig[:len(q)]
		for i := range q {
			p[i] += half * g[i]
			vi := v[i] + half*ig[i]
			v[i] = vi
			q[i] += eps * vi
		}
		z.lp = h.eval(q, g)
		h.met.applyLowRank(g, ig)
		k := 0.0
		for i, gi := range g {
			pi := p[i] + half*gi
			vi := v[i] + half*ig[i]
			p[i], v[i] = pi, vi
			k += pi * vi
		}
		z.kin = 0.5 * k
		return
	}
	// Dense.
	for i := range z.p {
		z.p[i] += half * z.g[i]
	}
	h.met.velocity(z.p, z.v)
	for i := range z.q {
		z.q[i] += eps * z.v[i]
	}
	z.lp = h.eval(z.q, z.g)
	for i := range z.p {
		z.p[i] += half * z.g[i]
	}
	z.kin = h.met.velocity(z.p, z.v)
}

// begin syncs the current point with the chain state before a transition
// and handles the start and the end of warm-up.
func (h *hamiltonian) begin(s *State) {
	h.s = s
	if !h.ident {
		copy(h.xfull, s.X)
	}
	for i, b := range h.block {
		h.z.q[i] = s.X[b]
	}
	if h.ident && s.GradOK && !math.IsNaN(s.Lp) {
		copy(h.z.g, s.Grad)
		h.z.lp = s.Lp
	} else {
		h.z.lp = h.eval(h.z.q, h.z.g)
	}
	if h.start {
		h.start = false
		if s.Tuning && h.opt.invMetric == nil {
			h.ad.initialMetric(h.met, h.z.g)
		}
		if s.Tuning || h.opt.stepSize == 0 {
			h.initStepSize()
		}
		h.ad.da.restart(h.eps)
	}
	if h.tuning && !s.Tuning && !h.opt.fixedStepSize && h.ad.da.counter > 0 {
		h.eps = h.ad.da.final()
	}
	h.tuning = s.Tuning
}

// end adapts after a warm-up transition and writes the point back.
func (h *hamiltonian) end(s *State, accept float64) {
	if s.Tuning && !s.Stopped() {
		eps, changed := h.ad.update(h.met, h.eps, h.z.q, h.z.g, accept)
		h.eps = eps
		if changed {
			// Stan re-initializes the step size for the new metric and
			// restarts dual averaging at mu = log(10 eps).
			h.initStepSize()
			h.ad.da.restart(h.eps)
		}
	}
	for i, b := range h.block {
		s.X[b] = h.z.q[i]
	}
	s.Lp = h.z.lp
	if h.ident {
		copy(s.Grad, h.z.g)
		s.GradOK = true
	} else {
		s.GradOK = false
	}
}

// initStepSize is Stan's init_stepsize heuristic (base_hmc.hpp): double or
// halve the step size until the acceptance of one leapfrog step from the
// current point crosses 0.8.
func (h *hamiltonian) initStepSize() {
	if h.opt.fixedStepSize || h.eps == 0 || h.eps > 1e7 || !finite(h.z.lp) {
		return
	}
	log08 := math.Log(0.8)
	try := func() float64 {
		t := &h.tmp
		copy(t.q, h.z.q)
		copy(t.g, h.z.g)
		t.lp = h.z.lp
		h.met.sampleP(h.s.Rng, t.p)
		t.kin = h.met.start(t)
		h0 := t.energy()
		h.leapfrog(t, h.eps)
		return h0 - t.energy()
	}
	dH := try()
	dir := -1
	if dH > log08 {
		dir = 1
	}
	for k := 0; k < 100 && !h.s.Stopped(); k++ {
		dH = try()
		if dir == 1 && !(dH > log08) {
			break
		}
		if dir == -1 && !(dH < log08) {
			break
		}
		if dir == 1 {
			h.eps *= 2
		} else {
			h.eps /= 2
		}
		if h.eps > 1e7 {
			h.eps = 1e7
			break
		}
		if h.eps < 1e-12 {
			h.eps = 1e-12
			break
		}
	}
}

// StepSize returns the current step size.
func (h *hamiltonian) StepSize() float64 { return h.eps }

// InvMetric returns a copy of the diagonal inverse metric, nil if dense.
func (h *hamiltonian) InvMetric() []float64 {
	if h.met == nil || h.met.dense {
		return nil
	}
	if h.met.k > 0 {
		return h.met.fullDiag()
	}
	return append([]float64(nil), h.met.inv...)
}

// InvMetricDense returns a copy of the dense inverse metric, nil if diagonal.
func (h *hamiltonian) InvMetricDense() []float64 {
	if h.met == nil || !h.met.dense {
		return nil
	}
	return append([]float64(nil), h.met.inv...)
}

// HMCOptions configure HamiltonianMC. Zero values mean the defaults named.
type HMCOptions struct {
	// Block is the coordinates to update; nil means all.
	Block []int
	// PathLength is the integration time; steps = PathLength/StepSize
	// (default 2, as PyMC's HamiltonianMC).
	PathLength float64
	// MaxSteps caps the leapfrog steps per transition (default 1024).
	MaxSteps int
	// Adapt chooses the metric adaptation (default AdaptGradDiag).
	Adapt Adapt
	// TargetAccept is the dual-averaging target (default 0.65 as PyMC's
	// HamiltonianMC).
	TargetAccept float64
	// Gamma, Kappa, T0 are the dual-averaging constants (0.05, 0.75, 10).
	Gamma, Kappa, T0 float64
	// InitBuffer, TermBuffer, BaseWindow set Stan's warm-up windows
	// (75, 50, 25) for AdaptDiag and AdaptDense.
	InitBuffer, TermBuffer, BaseWindow int
	// StepSize is the initial step size (default: 1, then Stan's heuristic).
	StepSize float64
	// FixedStepSize turns step-size adaptation off.
	FixedStepSize bool
	// MaxEnergyError is the divergence threshold (default 1000).
	MaxEnergyError float64
	// InvMetric is an initial diagonal inverse metric (len of the block).
	InvMetric []float64
}

// HMC is Hamiltonian Monte Carlo with a fixed path length and adapted step
// size and metric.
type HMC struct {
	hamiltonian
	pathLength float64
	maxSteps   int
}

// NewHMC returns an HMC step method on d.
func NewHMC(d GradDensity, opt HMCOptions) (*HMC, error) {
	if d == nil {
		return nil, fmt.Errorf("step: HMC: nil density")
	}
	block, err := blockCheck("HMC", opt.Block, d.Dim())
	if err != nil {
		return nil, err
	}
	ho, err := resolveHam("HMC", block, opt.Adapt, opt.TargetAccept, opt.Gamma, opt.Kappa, opt.T0,
		opt.InitBuffer, opt.TermBuffer, opt.BaseWindow, opt.StepSize, opt.MaxEnergyError, opt.FixedStepSize, opt.InvMetric, 0.65)
	if err != nil {
		return nil, err
	}
	m := &HMC{pathLength: orDefault(opt.PathLength, 2), maxSteps: orDefaultInt(opt.MaxSteps, 1024)}
	if !(m.pathLength > 0) || m.maxSteps < 1 {
		return nil, fmt.Errorf("step: HMC: PathLength %v and MaxSteps %d must be positive", m.pathLength, m.maxSteps)
	}
	m.setup(d, block, ho)
	return m, nil
}

// Name returns "HamiltonianMC".
func (m *HMC) Name() string { return "HamiltonianMC" }

// Block returns the updated coordinates.
func (m *HMC) Block() []int { return m.block }

// Density returns the full density.
func (m *HMC) Density() LogDensity { return m.d }

// Init resets the method for a new chain.
func (m *HMC) Init(tune, draws int) error { m.init(tune); return nil }

// Step makes one HMC transition.
func (m *HMC) Step(s *State, st *Stats) {
	m.begin(s)
	z := &m.z
	t := &m.tmp
	m.met.sampleP(s.Rng, z.p)
	z.kin = m.met.start(z)
	h0 := z.energy()
	t.copyFrom(z)
	n := int(m.pathLength / m.eps)
	if n < 1 {
		n = 1
	}
	if n > m.maxSteps {
		n = m.maxSteps
	}
	div := false
	steps := 0
	for i := 0; i < n; i++ {
		m.leapfrog(z, m.eps)
		steps++
		if z.energy()-h0 > m.opt.maxDH {
			div = true
			break
		}
		if s.Stopped() {
			break
		}
	}
	h1 := z.energy()
	maxErr := h1 - h0
	accept := math.Min(1, math.Exp(h0-h1))
	if div || math.IsNaN(accept) {
		accept = 0
	}
	if !(s.Rng.Float64() < accept) {
		z.copyFrom(t)
		h1 = h0
	}
	*st = Stats{Lp: z.lp, Diverging: div, Energy: h1, NSteps: steps, StepSize: m.eps,
		Acceptance: accept, EnergyError: h1 - h0, MaxEnergyError: maxErr, Tune: s.Tuning}
	m.end(s, accept)
}
