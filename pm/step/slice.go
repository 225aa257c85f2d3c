package step

import (
	"fmt"
	"math"
)

// SliceOptions configure Slice. Zero values mean the defaults.
type SliceOptions struct {
	// Block is the coordinates to update; nil means all.
	Block []int
	// W is the initial slice width (default 1), tuned during warm-up to
	// the running mean of the final interval widths, as PyMC's Slice.
	W float64
	// NoTune keeps W fixed.
	NoTune bool
	// MaxStepsOut caps the stepping-out steps per side (default 1000).
	MaxStepsOut int
}

// Slice is univariate slice sampling (Neal 2003) with stepping out and
// shrinkage, one coordinate of the block after the other.
type Slice struct {
	logp   func([]float64) float64
	d      LogDensity
	block  []int
	opt    SliceOptions
	w      []float64
	nTunes float64
}

// NewSlice returns a Slice step method on d.
func NewSlice(d LogDensity, opt SliceOptions) (*Slice, error) {
	if d == nil {
		return nil, fmt.Errorf("step: Slice: nil density")
	}
	block, err := blockCheck("Slice", opt.Block, d.Dim())
	if err != nil {
		return nil, err
	}
	if opt.W < 0 || math.IsNaN(opt.W) || math.IsInf(opt.W, 0) {
		return nil, fmt.Errorf("step: Slice: W %v is not positive and finite", opt.W)
	}
	opt.W = orDefault(opt.W, 1)
	opt.MaxStepsOut = orDefaultInt(opt.MaxStepsOut, 1000)
	return &Slice{logp: logpFunc(d), d: d, block: block, opt: opt, w: make([]float64, len(block))}, nil
}

// Name returns "Slice".
func (m *Slice) Name() string { return "Slice" }

// Block returns the updated coordinates.
func (m *Slice) Block() []int { return m.block }

// Density returns the full density.
func (m *Slice) Density() LogDensity { return m.d }

// Init resets the method for a new chain.
func (m *Slice) Init(tune, draws int) error {
	for i := range m.w {
		m.w[i] = m.opt.W
	}
	m.nTunes = 0
	return nil
}

// Step updates each coordinate of the block by slice sampling.
func (m *Slice) Step(s *State, st *Stats) {
	lp := s.logp(m.logp)
	evals := 0
	f := func() float64 { evals++; return cleanLp(m.logp(s.X)) }
	for i, b := range m.block {
		if s.Stopped() {
			break
		}
		x0 := s.X[b]
		w := m.w[i]
		y := lp - s.Rng.ExpFloat64() // log of the slice height
		l := x0 - s.Rng.Float64()*w
		r := l + w
		for k := 0; k < m.opt.MaxStepsOut; k++ {
			s.X[b] = l
			if !(f() > y) {
				break
			}
			l -= w
		}
		for k := 0; k < m.opt.MaxStepsOut; k++ {
			s.X[b] = r
			if !(f() > y) {
				break
			}
			r += w
		}
		// Shrink toward x0 until a point inside the slice is found. If x0
		// itself is not in the slice (a non-finite start), give up and stay.
		accepted := false
		for k := 0; k < 200 && !s.Stopped(); k++ {
			x1 := l + s.Rng.Float64()*(r-l)
			s.X[b] = x1
			lp1 := f()
			if lp1 > y {
				lp = lp1
				accepted = true
				break
			}
			if x1 > x0 {
				r = x1
			} else {
				l = x1
			}
		}
		if !accepted {
			s.X[b] = x0
		} else {
			s.GradOK = false
		}
		if s.Tuning && !m.opt.NoTune {
			m.w[i] = m.w[i]*(m.nTunes/(m.nTunes+1)) + (r-l)/(m.nTunes+1)
		}
	}
	if s.Tuning && !m.opt.NoTune {
		m.nTunes++
	}
	s.NLogp += int64(evals)
	s.Lp = lp
	*st = Stats{Lp: lp, NSteps: evals, Acceptance: 1, Tune: s.Tuning}
}
