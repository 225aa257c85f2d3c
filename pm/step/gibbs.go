package step

import (
	"fmt"
	"math"
)

// BinaryGibbsMetropolis updates 0/1 coordinates one at a time, in random
// order, by proposing the flip and accepting it with probability
// min(1, p(flipped)/p(current)) (Metropolized Gibbs, as PyMC's
// BinaryGibbsMetropolis).
type BinaryGibbsMetropolis struct {
	logp  func([]float64) float64
	d     LogDensity
	block []int
	order []int
}

// NewBinaryGibbsMetropolis returns the method on the 0/1 coordinates block
// (nil means all) of d.
func NewBinaryGibbsMetropolis(d LogDensity, block []int) (*BinaryGibbsMetropolis, error) {
	if d == nil {
		return nil, fmt.Errorf("step: BinaryGibbsMetropolis: nil density")
	}
	b, err := blockCheck("BinaryGibbsMetropolis", block, d.Dim())
	if err != nil {
		return nil, err
	}
	return &BinaryGibbsMetropolis{logp: logpFunc(d), d: d, block: b, order: make([]int, len(b))}, nil
}

// Name returns "BinaryGibbsMetropolis".
func (m *BinaryGibbsMetropolis) Name() string { return "BinaryGibbsMetropolis" }

// Block returns the updated coordinates.
func (m *BinaryGibbsMetropolis) Block() []int { return m.block }

// Density returns the full density.
func (m *BinaryGibbsMetropolis) Density() LogDensity { return m.d }

// Discrete returns true.
func (m *BinaryGibbsMetropolis) Discrete() bool { return true }

// Init checks nothing and keeps no chain state.
func (m *BinaryGibbsMetropolis) Init(tune, draws int) error { return nil }

func (m *BinaryGibbsMetropolis) shuffle(s *State) {
	for i := range m.order {
		m.order[i] = i
	}
	s.Rng.Shuffle(len(m.order), func(i, j int) { m.order[i], m.order[j] = m.order[j], m.order[i] })
}

// Step flips each coordinate with its Metropolized Gibbs probability.
func (m *BinaryGibbsMetropolis) Step(s *State, st *Stats) {
	lp := s.logp(m.logp)
	m.shuffle(s)
	acc := 0.0
	for _, i := range m.order {
		b := m.block[i]
		old := s.X[b]
		if old >= 0.5 {
			s.X[b] = 0
		} else {
			s.X[b] = 1
		}
		lp1 := cleanLp(m.logp(s.X))
		a := math.Min(1, math.Exp(lp1-lp))
		if math.IsNaN(a) {
			a = 0
		}
		acc += a
		if s.Rng.Float64() < a {
			lp = lp1
			s.GradOK = false
		} else {
			s.X[b] = old
		}
	}
	n := len(m.block)
	s.NLogp += int64(n)
	s.Lp = lp
	*st = Stats{Lp: lp, NSteps: n, Acceptance: acc / float64(n), Tune: s.Tuning}
}

// CategoricalGibbsMetropolis updates coordinates taking values in
// {0, ..., K-1} one at a time, in random order, by Gibbs sampling from the
// full conditional over all K values (PyMC's proposal="proportional").
type CategoricalGibbsMetropolis struct {
	logp  func([]float64) float64
	d     LogDensity
	block []int
	k     []int
	order []int
	lps   []float64
}

// NewCategoricalGibbsMetropolis returns the method on block (nil means all)
// of d, where coordinate block[i] takes values 0..k[i]-1. A single k
// applies to every coordinate.
func NewCategoricalGibbsMetropolis(d LogDensity, block []int, k []int) (*CategoricalGibbsMetropolis, error) {
	if d == nil {
		return nil, fmt.Errorf("step: CategoricalGibbsMetropolis: nil density")
	}
	b, err := blockCheck("CategoricalGibbsMetropolis", block, d.Dim())
	if err != nil {
		return nil, err
	}
	kk := make([]int, len(b))
	switch len(k) {
	case 1:
		for i := range kk {
			kk[i] = k[0]
		}
	case len(b):
		copy(kk, k)
	default:
		return nil, fmt.Errorf("step: CategoricalGibbsMetropolis: k has length %d, want 1 or %d", len(k), len(b))
	}
	maxK := 0
	for i, v := range kk {
		if v < 2 {
			return nil, fmt.Errorf("step: CategoricalGibbsMetropolis: coordinate %d has %d categories, need at least 2", b[i], v)
		}
		maxK = max(maxK, v)
	}
	return &CategoricalGibbsMetropolis{logp: logpFunc(d), d: d, block: b, k: kk, order: make([]int, len(b)), lps: make([]float64, maxK)}, nil
}

// Name returns "CategoricalGibbsMetropolis".
func (m *CategoricalGibbsMetropolis) Name() string { return "CategoricalGibbsMetropolis" }

// Block returns the updated coordinates.
func (m *CategoricalGibbsMetropolis) Block() []int { return m.block }

// Density returns the full density.
func (m *CategoricalGibbsMetropolis) Density() LogDensity { return m.d }

// Discrete returns true.
func (m *CategoricalGibbsMetropolis) Discrete() bool { return true }

// Init keeps no chain state.
func (m *CategoricalGibbsMetropolis) Init(tune, draws int) error { return nil }

// Step draws each coordinate from its full conditional.
func (m *CategoricalGibbsMetropolis) Step(s *State, st *Stats) {
	lp := s.logp(m.logp)
	for i := range m.order {
		m.order[i] = i
	}
	s.Rng.Shuffle(len(m.order), func(i, j int) { m.order[i], m.order[j] = m.order[j], m.order[i] })
	evals := 0
	for _, i := range m.order {
		if s.Stopped() {
			break
		}
		b := m.block[i]
		cur := int(math.Round(s.X[b]))
		lps := m.lps[:m.k[i]]
		mx := math.Inf(-1)
		for v := range lps {
			if v == cur {
				lps[v] = lp
			} else {
				s.X[b] = float64(v)
				lps[v] = cleanLp(m.logp(s.X))
				evals++
			}
			mx = math.Max(mx, lps[v])
		}
		if math.IsInf(mx, -1) {
			s.X[b] = float64(cur)
			continue
		}
		tot := 0.0
		for _, l := range lps {
			tot += math.Exp(l - mx)
		}
		u := s.Rng.Float64() * tot
		pick := len(lps) - 1
		for v, l := range lps {
			u -= math.Exp(l - mx)
			if u < 0 {
				pick = v
				break
			}
		}
		s.X[b] = float64(pick)
		if pick != cur {
			s.GradOK = false
		}
		lp = lps[pick]
	}
	s.NLogp += int64(evals)
	s.Lp = lp
	*st = Stats{Lp: lp, NSteps: evals, Acceptance: 1, Tune: s.Tuning}
}
