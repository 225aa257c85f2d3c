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
	// Buffers, when not nil, lends AdaptLowRank's warm-up memory from chains whose metric is
	// final to chains starting later; the chains of one run share one. It does not change
	// the draws.
	Buffers *WarmupBuffers
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
	rhoExt                              []float64
	propFinal                           proposal
}

// NUTS is the No-U-Turn Sampler as in Stan (base_nuts.hpp): multinomial
// sampling from the trajectory, biased progressive sampling toward the new
// subtree at the top level and uniform within subtrees, the generalized
// no-U-turn criterion on sharp momenta with the extra checks across merged
// subtrees, divergence when the energy error exceeds MaxEnergyError.
//
// The arithmetic is Stan's, but the bookkeeping avoids copies: the
// trajectory's two ends are integrated in place (zFwd, zBck), the current
// point z holds the sample, a subtree writes its momentum sum instead of
// adding it to a cleared vector, and a two-step subtree skips the extra
// checks, which there repeat its own criterion exactly.
type NUTS struct {
	hamiltonian
	maxDepth int

	zFwd, zBck                 point
	prop                       proposal
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
	ho.buffers = opt.Buffers
	u := &NUTS{maxDepth: orDefaultInt(opt.MaxTreeDepth, 10)}
	if u.maxDepth < 1 || u.maxDepth > 30 {
		return nil, fmt.Errorf("step: NUTS: MaxTreeDepth %d not in [1, 30]", u.maxDepth)
	}
	u.setup(d, block, ho)
	n := len(block)
	u.zFwd, u.zBck = newPoint(n), newPoint(n)
	u.prop = newProposal(n)
	vecs := make([]float64, 12*n)
	next := func() []float64 { v := vecs[:n:n]; vecs = vecs[n:]; return v }
	u.pFwdFwd, u.pSharpFwdFwd = next(), next()
	u.pFwdBck, u.pSharpFwdBck = next(), next()
	u.pBckFwd, u.pSharpBckFwd = next(), next()
	u.pBckBck, u.pSharpBckBck = next(), next()
	u.rho, u.rhoFwd, u.rhoBck, u.rhoEx = next(), next(), next(), next()
	u.levels = make([]level, u.maxDepth+1)
	for i := range u.levels {
		b := make([]float64, 7*n)
		lv := &u.levels[i]
		sl := func() []float64 { v := b[:n:n]; b = b[n:]; return v }
		lv.pSharpInitEnd, lv.rhoInit, lv.pInitEnd = sl(), sl(), sl()
		lv.pFinalBeg, lv.pSharpFinalBeg, lv.rhoFinal = sl(), sl(), sl()
		lv.rhoExt = sl()
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
	// z keeps the sample (position, gradient, log-density; energy hSample);
	// the ends of the trajectory are integrated in zFwd and zBck. The inner
	// end momenta (pFwdBck, pBckFwd and their sharp ones) are written before
	// they are read.
	hSample := H0
	copy(u.pFwdFwd, z.p)
	copy(u.pBckBck, z.p)
	copy(u.rho, z.p)
	copy(u.pSharpFwdFwd, z.v)
	copy(u.pSharpBckBck, z.v)
	logSumWeight := 0.0
	depth := 0
	u.nLeapfrog, u.sumMetroProb, u.divergent, u.maxEnergyErr = 0, 0, false, 0

	for depth < u.maxDepth {
		lswSub := math.Inf(-1)
		var valid bool
		if s.Rng.Float64() > 0.5 {
			// Extend forward: the old tree becomes the backward part (its
			// momentum sum and forward end move there by swapping buffers;
			// the new subtree overwrites what the swap leaves behind).
			u.rhoBck, u.rho = u.rho, u.rhoBck
			u.pBckFwd, u.pFwdFwd = u.pFwdFwd, u.pBckFwd
			u.pSharpBckFwd, u.pSharpFwdFwd = u.pSharpFwdFwd, u.pSharpBckFwd
			valid = u.buildTree(&u.zFwd, depth, &u.prop, u.pSharpFwdBck, u.pSharpFwdFwd, u.rhoFwd, u.pFwdBck, u.pFwdFwd, 1, &lswSub)
		} else {
			u.rhoFwd, u.rho = u.rho, u.rhoFwd
			u.pFwdBck, u.pBckBck = u.pBckBck, u.pFwdBck
			u.pSharpFwdBck, u.pSharpBckBck = u.pSharpBckBck, u.pSharpFwdBck
			valid = u.buildTree(&u.zBck, depth, &u.prop, u.pSharpBckFwd, u.pSharpBckBck, u.rhoBck, u.pBckFwd, u.pBckBck, -1, &lswSub)
		}
		if !valid {
			break
		}
		depth++
		// Biased progressive sampling: prefer the new subtree.
		if lswSub > logSumWeight || s.Rng.Float64() < math.Exp(lswSub-logSumWeight) {
			copy(z.q, u.prop.q)
			copy(z.g, u.prop.g)
			z.lp, hSample = u.prop.lp, u.prop.h
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
	*st = Stats{Lp: z.lp, Diverging: u.divergent, Energy: hSample, TreeDepth: depth, NSteps: u.nLeapfrog,
		StepSize: u.eps, Acceptance: accept, EnergyError: hSample - H0, MaxEnergyError: u.maxEnergyErr, Tune: s.Tuning}
	u.end(s, accept)
}

// leaf makes one leapfrog step of z in direction sign, records its
// statistics and adds its weight to lsw: Stan's build_tree at depth 0
// without the bookkeeping, which the callers do. It reports whether the
// step is valid (not stopped, not divergent) and returns its energy.
func (u *NUTS) leaf(z *point, sign float64, lsw *float64) (float64, bool) {
	if u.s.Stopped() {
		return 0, false
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
	return h, !u.divergent
}

// buildTree is Stan's recursive build_tree: it moves z by 2^depth leapfrog
// steps in direction sign, samples a proposal uniformly (by weight) within
// the new subtree, writes the subtree's end momenta and its momentum sum
// rho, and reports whether the subtree is valid (no divergence, no U-turn
// inside it).
func (u *NUTS) buildTree(z *point, depth int, prop *proposal, pSharpBeg, pSharpEnd, rho, pBeg, pEnd []float64, sign float64, lsw *float64) bool {
	switch depth {
	case 0:
		h, ok := u.leaf(z, sign, lsw)
		if !ok {
			return false
		}
		prop.set(z, h)
		copy(pSharpBeg, z.v)
		copy(pSharpEnd, z.v)
		copy(rho, z.p)
		copy(pBeg, z.p)
		copy(pEnd, z.p)
		return true
	case 1:
		// Two steps. Each one-step subtree's momentum sum, begin and end
		// are its p, so the extra checks across the merge test the same
		// sum p1+p2 with the same velocities as the subtree's own
		// criterion: only that one is evaluated.
		lswInit := math.Inf(-1)
		h, ok := u.leaf(z, sign, &lswInit)
		if !ok {
			return false
		}
		prop.set(z, h)
		copy(pSharpBeg, z.v)
		copy(pBeg, z.p)
		lswFinal := math.Inf(-1)
		h, ok = u.leaf(z, sign, &lswFinal)
		if !ok {
			return false
		}
		copy(pSharpEnd, z.v)
		copy(pEnd, z.p)
		lswSub := logSumExp(lswInit, lswFinal)
		*lsw = logSumExp(*lsw, lswSub)
		if lswFinal > lswSub || u.s.Rng.Float64() < math.Exp(lswFinal-lswSub) {
			prop.set(z, h)
		}
		add(rho, pBeg, pEnd)
		return criterion(pSharpBeg, pSharpEnd, rho)
	}
	lv := &u.levels[depth]

	// The initial subtree.
	lswInit := math.Inf(-1)
	if !u.buildTree(z, depth-1, prop, pSharpBeg, lv.pSharpInitEnd, lv.rhoInit, pBeg, lv.pInitEnd, sign, &lswInit) {
		return false
	}
	// The final subtree.
	lswFinal := math.Inf(-1)
	if !u.buildTree(z, depth-1, &lv.propFinal, lv.pSharpFinalBeg, pSharpEnd, lv.rhoFinal, lv.pFinalBeg, pEnd, sign, &lswFinal) {
		return false
	}
	// Uniform (by weight) sampling within the subtree.
	lswSub := logSumExp(lswInit, lswFinal)
	*lsw = logSumExp(*lsw, lswSub)
	if lswFinal > lswSub || u.s.Rng.Float64() < math.Exp(lswFinal-lswSub) {
		prop.copyFrom(&lv.propFinal)
	}
	add(rho, lv.rhoInit, lv.rhoFinal)
	persist := criterion(pSharpBeg, pSharpEnd, rho)
	// Extra checks across the merge (Stan 2.23+): the initial subtree plus
	// the first point of the final one, and vice versa.
	add(lv.rhoExt, lv.rhoInit, lv.pFinalBeg)
	persist = persist && criterion(pSharpBeg, lv.pSharpFinalBeg, lv.rhoExt)
	add(lv.rhoExt, lv.rhoFinal, lv.pInitEnd)
	persist = persist && criterion(lv.pSharpInitEnd, pSharpEnd, lv.rhoExt)
	return persist
}
