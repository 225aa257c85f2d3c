package plots

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm"
)

// AsSamples converts what the figures accept: a *pm.Trace (posterior, prior or posterior
// predictive draws), *Samples or Samples.
func AsSamples(data any) (*Samples, error) {
	switch d := data.(type) {
	case *Samples:
		if d == nil {
			return nil, fmt.Errorf("plots: nil samples")
		}
		return d, nil
	case Samples:
		return &d, nil
	case *pm.Trace:
		return FromTrace(d)
	case nil:
		return nil, fmt.Errorf("plots: nil data (want a *pm.Trace or *plots.Samples)")
	}
	return nil, fmt.Errorf("plots: cannot plot a %T (want a *pm.Trace or *plots.Samples; use FromMatrix for a plain sample matrix)", data)
}

// FromTrace builds Samples from a trace: every recorded variable, with the divergences and
// energies of the sampler when it produced them.
func FromTrace(tr *pm.Trace) (*Samples, error) {
	if tr == nil || len(tr.Vars) == 0 {
		return nil, fmt.Errorf("plots: the trace is empty")
	}
	s := &Samples{}
	for _, v := range tr.Vars {
		s.Vars = append(s.Vars, Var{Name: v.Name, Shape: append([]int{}, v.Shape...), Draws: v.Draws, Discrete: v.Discrete})
	}
	if anyTrue(tr.Stats.Diverging) {
		s.Diverging = tr.Stats.Diverging
	}
	if anyNonZero(tr.Stats.Energy) {
		s.Energy = tr.Stats.Energy
	}
	return s, nil
}

// PPCSamples pairs posterior predictive draws with the model's observed data, for PPC.
func PPCSamples(pred *pm.Trace, m *pm.Model) (*Samples, error) {
	s, err := FromTrace(pred)
	if err != nil {
		return nil, err
	}
	s.Observed = map[string][]float64{}
	for _, rv := range m.ObservedVars() {
		if a := rv.Tensor.Value(); a != nil {
			s.Observed[rv.Name] = a.Floats()
		} else if g := rv.Tensor.Get(); g != nil {
			s.Observed[rv.Name] = g.Floats()
		}
	}
	return s, nil
}

func anyTrue(b [][]bool) bool {
	for _, r := range b {
		for _, x := range r {
			if x {
				return true
			}
		}
	}
	return false
}

func anyNonZero(b [][]float64) bool {
	for _, r := range b {
		for _, x := range r {
			if x != 0 {
				return true
			}
		}
	}
	return false
}

// begin is what every figure does first: convert its data and check its options.
func begin(src any, opts []Option) (*Samples, *config, error) {
	s, err := AsSamples(src)
	if err != nil {
		return nil, nil, err
	}
	cfg := newConfig(opts)
	if err := configErr(cfg); err != nil {
		return nil, nil, err
	}
	return s, cfg, nil
}
