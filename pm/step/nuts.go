package step

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// NUTSOptions configure NUTS. Zero values mean the defaults named.
type NUTSOptions struct {
	// Block is the coordinates to update; nil means all.
	Block []int
	// MaxTreeDepth caps the tree depth (default 10; at most 2^depth - 1
	// leapfrog steps per draw).
	MaxTreeDepth int
	// Adapt chooses the metric adaptation (default AdaptGradDiag).
	Adapt Adapt
	// TargetAccept is the dual-averaging target acceptance (default 0.8).
	TargetAccept float64
	// Gamma, Kappa, T0 are the dual-averaging constants (default 0.05,
	// 0.75, 10, as Stan).
	Gamma, Kappa, T0 float64
	// InitBuffer, TermBuffer, BaseWindow set Stan's warm-up windows
	// (default 75, 50, 25) for AdaptDiag and AdaptDense.
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

// proposal is a candidate draw: position, gradient, log-density, energy.
type proposal struct {
	q, g  []float64
	lp, h float64
}

func newProposal(n int) proposal {
	b := make([]float64, 2*n)
	return proposal{q: b[:n:n], g: b[n:]}
}

func (p *proposal) set(z *point, h float64) {
	copy(p.q, z.q)
	copy(p.g, z.g)
	p.lp, p.h = z.lp, h
}

func (p *proposal) copyFrom(o *proposal) {
	copy(p.q, o.q)
	copy(p.g, o.g)
	p.lp, p.h = o.lp, o.h
}

// level holds the buffers of one recursion level of the tree, so a
// transition allocates nothing.
type level struct {
	pSharpInitEnd, rhoInit, pInitEnd    []float64
	pFinalBeg, pSharpFinalBeg, rhoFinal []float64
	rhoExt, rhoSub                      []float64
	propFinal                           proposal
}

// NUTS is the No-U-Turn Sampler as in Stan (base_nuts.hpp): multinomial
// sampling from the trajectory, biased progressive sampling toward the new
// subtree at the top level and uniform within subtrees, the generalized
// no-U-turn criterion on sharp momenta with the extra checks across merged
// subtrees, divergence when the energy error exceeds MaxEnergyError.
type NUTS struct {
	hamiltonian
	maxDepth int

	zFwd, zBck                 point
	sample, prop               proposal
	pFwdFwd, pSharpFwdFwd      []float64
	pFwdBck, pSharpFwdBck      []float64
	pBckFwd, pSharpBckFwd      []float64
	pBckBck, pSharpBckBck      []float64
	rho, rhoFwd, rhoBck, rhoEx []float64
	levels                     []level

	// per-transition counters
	nLeapfrog    int
	sumMetroProb float64
	divergent    bool
	maxEnergyErr float64
	h0           float64
}

// NewNUTS returns a NUTS step method on d.
func NewNUTS(d GradDensity, opt NUTSOptions) (*NUTS, error) {
	if d == nil {
		return nil, fmt.Errorf("step: NUTS: nil density")
	}
	block, err := blockCheck("NUTS", opt.Block, d.Dim())
	if err != nil {
		return nil, err
	}
	ho, err := resolveHam("NUTS", block, opt.Adapt, opt.TargetAccept, opt.Gamma, opt.Kappa, opt.T0,
		opt.InitBuffer, opt.TermBuffer, opt.BaseWindow, opt.StepSize, opt.MaxEnergyError, opt.FixedStepSize, opt.InvMetric, 0.8)
	if err != nil {
		return nil, err
	}
	u := &NUTS{maxDepth: orDefaultInt(opt.MaxTreeDepth, 10)}
	if u.maxDepth < 1 || u.maxDepth > 30 {
		return nil, fmt.Errorf("step: NUTS: MaxTreeDepth %d not in [1, 30]", u.maxDepth)
	}
	u.setup(d, block, ho)
	n := len(block)
	u.zFwd, u.zBck = newPoint(n), newPoint(n)
	u.sample, u.prop = newProposal(n), newProposal(n)
	vecs := make([]float64, 12*n)
	next := func() []float64 { v := vecs[:n:n]; vecs = vecs[n:]; return v }
	u.pFwdFwd, u.pSharpFwdFwd = next(), next()
	u.pFwdBck, u.pSharpFwdBck = next(), next()
	u.pBckFwd, u.pSharpBckFwd = next(), next()
	u.pBckBck, u.pSharpBckBck = next(), next()
	u.rho, u.rhoFwd, u.rhoBck, u.rhoEx = next(), next(), next(), next()
	u.levels = make([]level, u.maxDepth+1)
	for i := range u.levels {
		b := make([]float64, 8*n)
		lv := &u.levels[i]
		sl := func() []float64 { v := b[:n:n]; b = b[n:]; return v }
		lv.pSharpInitEnd, lv.rhoInit, lv.pInitEnd = sl(), sl(), sl()
		lv.pFinalBeg, lv.pSharpFinalBeg, lv.rhoFinal = sl(), sl(), sl()
		lv.rhoExt, lv.rhoSub = sl(), sl()
		lv.propFinal = newProposal(n)
	}
	return u, nil
}

// Name returns "NUTS".
func (u *NUTS) Name() string { return "NUTS" }

// Block returns the updated coordinates.
func (u *NUTS) Block() []int { return u.block }

// Density returns the full density.
func (u *NUTS) Density() LogDensity { return u.d }

// Init resets the method for a new chain.
func (u *NUTS) Init(tune, draws int) error { u.init(tune); return nil }

// dot and add use gonum's assembly kernels: the U-turn checks run six
// dot products per tree node, a large share of the sampler's own cost.
func dot(a, b []float64) float64 { return floats.Dot(a, b) }

func add(dst, a, b []float64) { floats.AddTo(dst, a, b) }

// criterion is the generalized no-U-turn criterion (Betancourt 2013): the
// trajectory keeps going while both end velocities point along rho.
func criterion(pSharpMinus, pSharpPlus, rho []float64) bool {
	return dot(pSharpPlus, rho) > 0 && dot(pSharpMinus, rho) > 0
}

func logSumExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a > b {
		return a + math.Log1p(math.Exp(b-a))
	}
	return b + math.Log1p(math.Exp(a-b))
}

// Step makes one NUTS transition.
func (u *NUTS) Step(s *State, st *Stats) {
	u.begin(s)
	z := &u.z
	u.met.sampleP(s.Rng, z.p)
	z.kin = u.met.start(z)
	H0 := z.energy()
	u.h0 = H0
	u.zFwd.copyFrom(z)
	u.zBck.copyFrom(z)
	u.sample.set(z, H0)
	u.prop.set(z, H0)
	for _, v := range [][]float64{u.pFwdFwd, u.pFwdBck, u.pBckFwd, u.pBckBck, u.rho} {
		copy(v, z.p)
	}
	for _, v := range [][]float64{u.pSharpFwdFwd, u.pSharpFwdBck, u.pSharpBckFwd, u.pSharpBckBck} {
		copy(v, z.v)
	}
	logSumWeight := 0.0
	depth := 0
	u.nLeapfrog, u.sumMetroProb, u.divergent, u.maxEnergyErr = 0, 0, false, 0

	for depth < u.maxDepth {
		clear(u.rhoFwd)
		clear(u.rhoBck)
		lswSub := math.Inf(-1)
		var valid bool
		if s.Rng.Float64() > 0.5 {
			// Extend forward: the old tree becomes the backward part.
			z.copyFrom(&u.zFwd)
			copy(u.rhoBck, u.rho)
			copy(u.pBckFwd, u.pFwdFwd)
			copy(u.pSharpBckFwd, u.pSharpFwdFwd)
			valid = u.buildTree(depth, &u.prop, u.pSharpFwdBck, u.pSharpFwdFwd, u.rhoFwd, u.pFwdBck, u.pFwdFwd, 1, &lswSub)
			u.zFwd.copyFrom(z)
		} else {
			z.copyFrom(&u.zBck)
			copy(u.rhoFwd, u.rho)
			copy(u.pFwdBck, u.pBckBck)
			copy(u.pSharpFwdBck, u.pSharpBckBck)
			valid = u.buildTree(depth, &u.prop, u.pSharpBckFwd, u.pSharpBckBck, u.rhoBck, u.pBckFwd, u.pBckBck, -1, &lswSub)
			u.zBck.copyFrom(z)
		}
		if !valid {
			break
		}
		depth++
		// Biased progressive sampling: prefer the new subtree.
		if lswSub > logSumWeight {
			u.sample.copyFrom(&u.prop)
		} else if s.Rng.Float64() < math.Exp(lswSub-logSumWeight) {
			u.sample.copyFrom(&u.prop)
		}
		logSumWeight = logSumExp(logSumWeight, lswSub)
		add(u.rho, u.rhoBck, u.rhoFwd)
		persist := criterion(u.pSharpBckBck, u.pSharpFwdFwd, u.rho)
		add(u.rhoEx, u.rhoBck, u.pFwdBck)
		persist = persist && criterion(u.pSharpBckBck, u.pSharpFwdBck, u.rhoEx)
		add(u.rhoEx, u.rhoFwd, u.pBckFwd)
		persist = persist && criterion(u.pSharpBckFwd, u.pSharpFwdFwd, u.rhoEx)
		if !persist {
			break
		}
	}
	accept := 0.0
	if u.nLeapfrog > 0 {
		accept = u.sumMetroProb / float64(u.nLeapfrog)
	}
	copy(z.q, u.sample.q)
	copy(z.g, u.sample.g)
	z.lp = u.sample.lp
	*st = Stats{Lp: z.lp, Diverging: u.divergent, Energy: u.sample.h, TreeDepth: depth, NSteps: u.nLeapfrog,
		StepSize: u.eps, Acceptance: accept, EnergyError: u.sample.h - H0, MaxEnergyError: u.maxEnergyErr, Tune: s.Tuning}
	u.end(s, accept)
}

// buildTree is Stan's recursive build_tree: it adds 2^depth leapfrog steps
// in direction sign, samples a proposal uniformly (by weight) within the
// new subtree, and reports whether the subtree is valid (no divergence, no
// U-turn inside it).
func (u *NUTS) buildTree(depth int, prop *proposal, pSharpBeg, pSharpEnd, rho, pBeg, pEnd []float64, sign float64, lsw *float64) bool {
	z := &u.z
	if depth == 0 {
		if u.s.Stopped() {
			return false
		}
		u.leapfrog(z, sign*u.eps)
		u.nLeapfrog++
		h := z.energy()
		dH := h - u.h0
		if math.Abs(dH) > math.Abs(u.maxEnergyErr) || math.IsInf(dH, 0) {
			u.maxEnergyErr = dH
		}
		if dH > u.opt.maxDH {
			u.divergent = true
		}
		*lsw = logSumExp(*lsw, u.h0-h)
		if u.h0-h > 0 {
			u.sumMetroProb++
		} else {
			u.sumMetroProb += math.Exp(u.h0 - h)
		}
		prop.set(z, h)
		copy(pSharpBeg, z.v)
		copy(pSharpEnd, z.v)
		floats.Add(rho, z.p)
		copy(pBeg, z.p)
		copy(pEnd, z.p)
		return !u.divergent
	}
	lv := &u.levels[depth]

	// The initial subtree.
	lswInit := math.Inf(-1)
	clear(lv.rhoInit)
	if !u.buildTree(depth-1, prop, pSharpBeg, lv.pSharpInitEnd, lv.rhoInit, pBeg, lv.pInitEnd, sign, &lswInit) {
		return false
	}
	// The final subtree.
	lswFinal := math.Inf(-1)
	clear(lv.rhoFinal)
	if !u.buildTree(depth-1, &lv.propFinal, lv.pSharpFinalBeg, pSharpEnd, lv.rhoFinal, lv.pFinalBeg, pEnd, sign, &lswFinal) {
		return false
	}
	// Uniform (by weight) sampling within the subtree.
	lswSub := logSumExp(lswInit, lswFinal)
	*lsw = logSumExp(*lsw, lswSub)
	if lswFinal > lswSub {
		prop.copyFrom(&lv.propFinal)
	} else if u.s.Rng.Float64() < math.Exp(lswFinal-lswSub) {
		prop.copyFrom(&lv.propFinal)
	}
	add(lv.rhoSub, lv.rhoInit, lv.rhoFinal)
	floats.Add(rho, lv.rhoSub)
	persist := criterion(pSharpBeg, pSharpEnd, lv.rhoSub)
	// Extra checks across the merge (Stan 2.23+): the initial subtree plus
	// the first point of the final one, and vice versa.
	add(lv.rhoExt, lv.rhoInit, lv.pFinalBeg)
	persist = persist && criterion(pSharpBeg, lv.pSharpFinalBeg, lv.rhoExt)
	add(lv.rhoExt, lv.rhoFinal, lv.pInitEnd)
	persist = persist && criterion(lv.pSharpInitEnd, pSharpEnd, lv.rhoExt)
	return persist
}
