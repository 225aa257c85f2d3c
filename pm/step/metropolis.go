package step

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Proposal is the shape of a Metropolis proposal increment.
type Proposal int

const (
	// NormalProposal draws N(0, s²) increments (the default).
	NormalProposal Proposal = iota
	// UniformProposal draws U(-s, s) increments.
	UniformProposal
	// CauchyProposal draws Cauchy(0, s) increments.
	CauchyProposal
	// LaplaceProposal draws Laplace(0, s) increments.
	LaplaceProposal
	// PoissonProposal draws integer increments Poisson(s) - Poisson(s) (a
	// Skellam law). PyMC's PoissonProposal uses Poisson(s) - s, which is not
	// symmetric and so biases plain Metropolis acceptance; the difference
	// of two Poisson draws is symmetric, keeping the chain exact.
	PoissonProposal
)

// String names the proposal.
func (p Proposal) String() string {
	switch p {
	case NormalProposal:
		return "normal"
	case UniformProposal:
		return "uniform"
	case CauchyProposal:
		return "cauchy"
	case LaplaceProposal:
		return "laplace"
	case PoissonProposal:
		return "poisson"
	}
	return "unknown"
}

// draw returns one increment of scale s.
func (p Proposal) draw(rng *rand.Rand, s float64) float64 {
	switch p {
	case UniformProposal:
		return (2*rng.Float64() - 1) * s
	case CauchyProposal:
		return s * math.Tan(math.Pi*(rng.Float64()-0.5))
	case LaplaceProposal:
		return s * (rng.ExpFloat64() - rng.ExpFloat64())
	case PoissonProposal:
		return float64(poisson(rng, s) - poisson(rng, s))
	}
	return s * rng.NormFloat64()
}

// poisson draws a Poisson(lam) variate: Knuth's product method for small
// means, a rounded normal approximation beyond 30 (a proposal only needs a
// symmetric-enough integer jump, not an exact law).
func poisson(rng *rand.Rand, lam float64) int {
	if !(lam > 0) {
		return 0
	}
	if lam > 30 {
		k := int(math.Round(lam + math.Sqrt(lam)*rng.NormFloat64()))
		if k < 0 {
			k = 0
		}
		return k
	}
	l := math.Exp(-lam)
	k, p := 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// MetropolisOptions configure Metropolis. Zero values mean the defaults.
type MetropolisOptions struct {
	// Block is the coordinates to update; nil means all.
	Block []int
	// Proposal is the increment distribution (default NormalProposal).
	Proposal Proposal
	// S is the per-coordinate proposal scale (default 1 each).
	S []float64
	// Scaling multiplies S and is what tuning adapts (default 1).
	Scaling float64
	// TuneInterval is the number of warm-up steps between scale updates
	// (default 100, as PyMC).
	TuneInterval int
	// NoTune keeps the scaling fixed during warm-up.
	NoTune bool
	// Discrete rounds increments to integers, for integer coordinates.
	Discrete bool
	// Elementwise proposes and accepts one coordinate at a time (one
	// density evaluation per coordinate), each with its own tuned scaling.
	Elementwise bool
}

// Metropolis is random-walk Metropolis-Hastings with PyMC's scale tuning.
type Metropolis struct {
	logp     func([]float64) float64
	d        LogDensity
	block    []int
	opt      MetropolisOptions
	s        []float64
	scaling  []float64 // one entry (joint) or one per coordinate
	accepted []int
	sinceTun int
	old      []float64
}

// NewMetropolis returns a Metropolis step method on d.
func NewMetropolis(d LogDensity, opt MetropolisOptions) (*Metropolis, error) {
	if d == nil {
		return nil, fmt.Errorf("step: Metropolis: nil density")
	}
	block, err := blockCheck("Metropolis", opt.Block, d.Dim())
	if err != nil {
		return nil, err
	}
	if opt.Proposal < NormalProposal || opt.Proposal > PoissonProposal {
		return nil, fmt.Errorf("step: Metropolis: unknown Proposal %d", opt.Proposal)
	}
	m := &Metropolis{logp: logpFunc(d), d: d, block: block, opt: opt}
	m.s = make([]float64, len(block))
	for i := range m.s {
		m.s[i] = 1
	}
	if opt.S != nil {
		if len(opt.S) != len(block) {
			return nil, fmt.Errorf("step: Metropolis: S has length %d, block has %d coordinates", len(opt.S), len(block))
		}
		for i, v := range opt.S {
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("step: Metropolis: S[%d] = %v is not positive and finite", i, v)
			}
		}
		copy(m.s, opt.S)
	}
	if opt.Scaling < 0 || math.IsNaN(opt.Scaling) {
		return nil, fmt.Errorf("step: Metropolis: Scaling %v is negative", opt.Scaling)
	}
	m.opt.Scaling = orDefault(opt.Scaling, 1)
	m.opt.TuneInterval = orDefaultInt(opt.TuneInterval, 100)
	nsc := 1
	if opt.Elementwise {
		nsc = len(block)
	}
	m.scaling = make([]float64, nsc)
	m.accepted = make([]int, nsc)
	m.old = make([]float64, len(block))
	return m, nil
}

// Name returns "Metropolis".
func (m *Metropolis) Name() string { return "Metropolis" }

// Block returns the updated coordinates.
func (m *Metropolis) Block() []int { return m.block }

// Density returns the full density.
func (m *Metropolis) Density() LogDensity { return m.d }

// Discrete reports whether the method moves on integers.
func (m *Metropolis) Discrete() bool { return m.opt.Discrete }

// Scaling returns the current proposal scaling (the first one when
// elementwise).
func (m *Metropolis) Scaling() float64 { return m.scaling[0] }

// Init resets the method for a new chain.
func (m *Metropolis) Init(tune, draws int) error {
	for i := range m.scaling {
		m.scaling[i] = m.opt.Scaling
		m.accepted[i] = 0
	}
	m.sinceTun = 0
	return nil
}

func (m *Metropolis) delta(rng *rand.Rand, i int, sc float64) float64 {
	d := m.opt.Proposal.draw(rng, m.s[i]*sc)
	if m.opt.Discrete {
		d = math.Round(d)
	}
	return d
}

// Step makes one Metropolis transition.
func (m *Metropolis) Step(s *State, st *Stats) {
	lp0 := s.logp(m.logp)
	if s.Tuning && !m.opt.NoTune && m.sinceTun == m.opt.TuneInterval {
		for i := range m.scaling {
			m.scaling[i] = tuneScale(m.scaling[i], float64(m.accepted[i])/float64(m.opt.TuneInterval))
			m.accepted[i] = 0
		}
		m.sinceTun = 0
	}
	m.sinceTun++
	evals := 0
	accSum := 0.0
	if !m.opt.Elementwise {
		for i, b := range m.block {
			m.old[i] = s.X[b]
			s.X[b] += m.delta(s.Rng, i, m.scaling[0])
		}
		lp1 := cleanLp(m.logp(s.X))
		evals++
		acc := math.Min(1, math.Exp(lp1-lp0))
		if math.IsNaN(acc) {
			acc = 0
		}
		accSum = acc
		if s.Rng.Float64() < acc {
			lp0 = lp1
			m.accepted[0]++
			s.GradOK = false
		} else {
			for i, b := range m.block {
				s.X[b] = m.old[i]
			}
		}
	} else {
		for i, b := range m.block {
			old := s.X[b]
			s.X[b] += m.delta(s.Rng, i, m.scaling[i])
			lp1 := cleanLp(m.logp(s.X))
			evals++
			acc := math.Min(1, math.Exp(lp1-lp0))
			if math.IsNaN(acc) {
				acc = 0
			}
			accSum += acc
			if s.Rng.Float64() < acc {
				lp0 = lp1
				m.accepted[i]++
				s.GradOK = false
			} else {
				s.X[b] = old
			}
			if s.Stopped() {
				break
			}
		}
		accSum /= float64(evals)
	}
	s.NLogp += int64(evals)
	s.Lp = lp0
	*st = Stats{Lp: lp0, NSteps: evals, Acceptance: accSum, Tune: s.Tuning}
}
