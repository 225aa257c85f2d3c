package step

import (
	"fmt"
	"math"
)

// DEMZTune selects what DEMetropolisZ tunes during warm-up.
type DEMZTune int

const (
	// DEMZTuneScaling tunes the scale of the noise term (PyMC's default).
	DEMZTuneScaling DEMZTune = iota
	// DEMZTuneLambda tunes the differential-evolution factor lambda.
	DEMZTuneLambda
	// DEMZTuneNone tunes nothing.
	DEMZTuneNone
)

// DEMetropolisZOptions configure DEMetropolisZ. Zero values mean defaults.
type DEMetropolisZOptions struct {
	// Block is the coordinates to update; nil means all.
	Block []int
	// Lambda scales the history difference (default 2.38/sqrt(2d), ter
	// Braak & Vrugt 2008).
	Lambda float64
	// Scaling is the sd of the normal noise added to each proposal
	// (default 0.001, as PyMC).
	Scaling float64
	// Tune chooses what to tune (default DEMZTuneScaling).
	Tune DEMZTune
	// TuneInterval is the number of steps between tunings (default 100).
	TuneInterval int
	// TuneDropFraction is the fraction of the warm-up history dropped when
	// warm-up ends (default 0.9, as PyMC).
	TuneDropFraction float64
}

// DEMetropolisZ is differential-evolution Metropolis with sampling from the
// past (ter Braak & Vrugt 2008): the proposal adds lambda times the
// difference of two past states of the chain, plus small normal noise.
type DEMetropolisZ struct {
	logp     func([]float64) float64
	d        LogDensity
	block    []int
	opt      DEMetropolisZOptions
	lambda   float64
	scaling  float64
	hist     []float64 // rows of len(block)
	nHist    int
	accepted int
	sinceTun int
	tuning   bool
	old      []float64
}

// NewDEMetropolisZ returns a DEMetropolisZ step method on d.
func NewDEMetropolisZ(d LogDensity, opt DEMetropolisZOptions) (*DEMetropolisZ, error) {
	if d == nil {
		return nil, fmt.Errorf("step: DEMetropolisZ: nil density")
	}
	block, err := blockCheck("DEMetropolisZ", opt.Block, d.Dim())
	if err != nil {
		return nil, err
	}
	if opt.Tune < DEMZTuneScaling || opt.Tune > DEMZTuneNone {
		return nil, fmt.Errorf("step: DEMetropolisZ: unknown Tune %d", opt.Tune)
	}
	if opt.Lambda < 0 || opt.Scaling < 0 || opt.TuneDropFraction < 0 || opt.TuneDropFraction >= 1 {
		return nil, fmt.Errorf("step: DEMetropolisZ: Lambda %v, Scaling %v must be >= 0 and TuneDropFraction %v in [0, 1)",
			opt.Lambda, opt.Scaling, opt.TuneDropFraction)
	}
	opt.Lambda = orDefault(opt.Lambda, 2.38/math.Sqrt(2*float64(len(block))))
	opt.Scaling = orDefault(opt.Scaling, 0.001)
	opt.TuneInterval = orDefaultInt(opt.TuneInterval, 100)
	opt.TuneDropFraction = orDefault(opt.TuneDropFraction, 0.9)
	return &DEMetropolisZ{logp: logpFunc(d), d: d, block: block, opt: opt, old: make([]float64, len(block))}, nil
}

// Name returns "DEMetropolisZ".
func (m *DEMetropolisZ) Name() string { return "DEMetropolisZ" }

// Block returns the updated coordinates.
func (m *DEMetropolisZ) Block() []int { return m.block }

// Density returns the full density.
func (m *DEMetropolisZ) Density() LogDensity { return m.d }

// Lambda returns the current lambda; Scaling the current noise scale.
func (m *DEMetropolisZ) Lambda() float64 { return m.lambda }

// Scaling returns the current noise scale.
func (m *DEMetropolisZ) Scaling() float64 { return m.scaling }

// Init resets the method and sizes the history for tune+draws states.
func (m *DEMetropolisZ) Init(tune, draws int) error {
	m.lambda, m.scaling = m.opt.Lambda, m.opt.Scaling
	m.hist = make([]float64, 0, (tune+draws+1)*len(m.block))
	m.nHist, m.accepted, m.sinceTun = 0, 0, 0
	m.tuning = false
	return nil
}

// Step makes one DE-MCMC-Z transition and records the state in the history.
func (m *DEMetropolisZ) Step(s *State, st *Stats) {
	n := len(m.block)
	if m.tuning && !s.Tuning {
		// Warm-up ended: forget its early part, which is far from the
		// typical set (PyMC's tune_drop_fraction).
		drop := int(float64(m.nHist) * m.opt.TuneDropFraction)
		copy(m.hist, m.hist[drop*n:m.nHist*n])
		m.nHist -= drop
		m.hist = m.hist[:m.nHist*n]
	}
	m.tuning = s.Tuning
	if s.Tuning && m.opt.Tune != DEMZTuneNone && m.sinceTun == m.opt.TuneInterval {
		acc := float64(m.accepted) / float64(m.opt.TuneInterval)
		if m.opt.Tune == DEMZTuneScaling {
			m.scaling = tuneScale(m.scaling, acc)
		} else {
			m.lambda = tuneScale(m.lambda, acc)
		}
		m.accepted, m.sinceTun = 0, 0
	}
	m.sinceTun++
	lp0 := s.logp(m.logp)
	var z1, z2 []float64
	if m.nHist > 1 {
		i1 := s.Rng.IntN(m.nHist)
		i2 := s.Rng.IntN(m.nHist - 1)
		if i2 >= i1 {
			i2++
		}
		z1, z2 = m.hist[i1*n:(i1+1)*n], m.hist[i2*n:(i2+1)*n]
	}
	for i, b := range m.block {
		m.old[i] = s.X[b]
		x := s.X[b] + m.scaling*s.Rng.NormFloat64()
		if z1 != nil {
			x += m.lambda * (z1[i] - z2[i])
		}
		s.X[b] = x
	}
	lp1 := cleanLp(m.logp(s.X))
	s.NLogp++
	acc := math.Min(1, math.Exp(lp1-lp0))
	if math.IsNaN(acc) {
		acc = 0
	}
	if s.Rng.Float64() < acc {
		lp0 = lp1
		m.accepted++
		s.GradOK = false
	} else {
		for i, b := range m.block {
			s.X[b] = m.old[i]
		}
	}
	s.Lp = lp0
	for _, b := range m.block {
		m.hist = append(m.hist, s.X[b])
	}
	m.nHist++
	*st = Stats{Lp: lp0, NSteps: 1, Acceptance: acc, Tune: s.Tuning}
}
