package step

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// Method is a step method: one Markov transition that updates a block of
// coordinates of the full point in place. Every method evaluates the full
// density, so methods on disjoint blocks compose in a CompoundStep.
//
// A Method value holds per-chain state (adaptation, buffers): build one per
// chain, which is what the factory in Config does.
type Method interface {
	// Name is the method's name as printed, e.g. "NUTS".
	Name() string
	// Block is the coordinate indices of the full point this method updates.
	Block() []int
	// Density is the full log-density the method evaluates.
	Density() LogDensity
	// Init resets the method for a new chain of tune warm-up and draws
	// sampling iterations. It is called once before the first Step.
	Init(tune, draws int) error
	// Step makes one transition of s.X and writes the draw's statistics.
	Step(s *State, st *Stats)
}

// Adaptive is implemented by methods with a step size and a metric, so that
// the runner can report what warm-up found.
type Adaptive interface {
	// StepSize is the current (after warm-up: final) step size.
	StepSize() float64
	// InvMetric is the diagonal of the inverse metric (the variance
	// estimate), or nil for a dense metric.
	InvMetric() []float64
	// InvMetricDense is the dense inverse metric, row-major n×n, or nil for
	// a diagonal metric.
	InvMetricDense() []float64
}

// State is the chain state shared by the methods of one chain.
type State struct {
	// X is the full current point; methods update their block in place.
	X []float64
	// Lp is Logp(X), or NaN when a method has to evaluate it again.
	Lp float64
	// Grad is the full gradient at X when GradOK is true.
	Grad []float64
	// GradOK says Grad belongs to X; a method that moves X without computing
	// the gradient clears it.
	GradOK bool
	// Rng is the chain's random source.
	Rng *rand.Rand
	// Iter is the 0-based iteration, warm-up included.
	Iter int
	// Tuning is true during warm-up.
	Tuning bool
	// NGrad counts gradient evaluations, NLogp evaluations of Logp alone.
	NGrad, NLogp int64

	stop *atomic.Bool
}

// NewState returns a state at x (copied) with the given random source.
func NewState(x []float64, rng *rand.Rand) *State {
	return &State{X: append([]float64(nil), x...), Lp: math.NaN(), Grad: make([]float64, len(x)), Rng: rng}
}

// Stopped reports whether sampling was cancelled. Methods with long inner
// loops check it (one atomic load) and give up the transition early.
func (s *State) Stopped() bool { return s.stop != nil && s.stop.Load() }

// logp returns Logp(X), evaluating it if unknown.
func (s *State) logp(f func([]float64) float64) float64 {
	if math.IsNaN(s.Lp) {
		s.NLogp++
		s.Lp = cleanLp(f(s.X))
	}
	return s.Lp
}

// Stats are the sample statistics of one draw. Fields a method has no use
// for stay zero; Lp is always set.
type Stats struct {
	// Lp is the log-density of the draw.
	Lp float64
	// Diverging marks an HMC/NUTS divergence (energy error > MaxEnergyError
	// option, 1000 by default, or a non-finite energy).
	Diverging bool
	// Energy is the Hamiltonian at the draw (HMC/NUTS).
	Energy float64
	// TreeDepth is the NUTS tree depth.
	TreeDepth int
	// NSteps is the number of leapfrog steps (HMC/NUTS) or density
	// evaluations (other methods), summed over a compound step's members.
	NSteps int
	// StepSize is the integrator step size (HMC/NUTS).
	StepSize float64
	// Acceptance is the mean acceptance probability over the trajectory
	// (HMC/NUTS) or the Metropolis acceptance probability.
	Acceptance float64
	// EnergyError is the energy of the draw minus the initial energy.
	EnergyError float64
	// MaxEnergyError is the energy change of largest magnitude in the tree.
	MaxEnergyError float64
	// Tune is true for warm-up draws.
	Tune bool
}

// blockCheck validates a block against dimension n.
func blockCheck(name string, block []int, n int) ([]int, error) {
	if n <= 0 {
		return nil, fmt.Errorf("step: %s: density has dimension %d", name, n)
	}
	if block == nil {
		return allIndices(n), nil
	}
	if len(block) == 0 {
		return nil, fmt.Errorf("step: %s: empty block", name)
	}
	seen := make(map[int]bool, len(block))
	for _, b := range block {
		if b < 0 || b >= n {
			return nil, fmt.Errorf("step: %s: block index %d out of range [0, %d)", name, b, n)
		}
		if seen[b] {
			return nil, fmt.Errorf("step: %s: block index %d repeated", name, b)
		}
		seen[b] = true
	}
	return append([]int(nil), block...), nil
}

// tuneScale is PyMC's Metropolis scale tuning rule (pymc/step_methods/
// metropolis.py, tune()): shrink or grow the proposal scale by fixed factors
// from the acceptance rate of the last tuning interval.
func tuneScale(scale, acc float64) float64 {
	switch {
	case acc < 0.001:
		return scale * 0.1
	case acc < 0.05:
		return scale * 0.5
	case acc < 0.2:
		return scale * 0.9
	case acc > 0.95:
		return scale * 10
	case acc > 0.75:
		return scale * 2
	case acc > 0.5:
		return scale * 1.1
	}
	return scale
}
