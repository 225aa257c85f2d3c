package step

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// CompoundStep runs its member methods one after the other in each
// iteration; each updates its own block of the same point.
type CompoundStep struct {
	// Steps are the members, run in this order.
	Steps []Method
	// Names optionally names the variables of each member's block, for
	// String; Names[i] belongs to Steps[i].
	Names [][]string

	block []int
	tmp   Stats
}

// NewCompoundStep returns a compound of steps, which must share one density
// and update disjoint blocks. names may be nil.
func NewCompoundStep(steps []Method, names [][]string) (*CompoundStep, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("step: CompoundStep: no member methods")
	}
	if names != nil && len(names) != len(steps) {
		return nil, fmt.Errorf("step: CompoundStep: %d name lists for %d methods", len(names), len(steps))
	}
	dim := steps[0].Density().Dim()
	owner := make(map[int]int)
	var block []int
	for i, m := range steps {
		if m == nil {
			return nil, fmt.Errorf("step: CompoundStep: method %d is nil", i)
		}
		if d := m.Density().Dim(); d != dim {
			return nil, fmt.Errorf("step: CompoundStep: %s has a density of dimension %d, %s has %d", m.Name(), d, steps[0].Name(), dim)
		}
		for _, b := range m.Block() {
			if j, ok := owner[b]; ok {
				return nil, fmt.Errorf("step: CompoundStep: coordinate %d is in the blocks of both %s and %s", b, steps[j].Name(), m.Name())
			}
			owner[b] = i
			block = append(block, b)
		}
	}
	sort.Ints(block)
	return &CompoundStep{Steps: steps, Names: names, block: block}, nil
}

// Name returns "CompoundStep", or the member's name if there is only one.
func (c *CompoundStep) Name() string {
	if len(c.Steps) == 1 {
		return c.Steps[0].Name()
	}
	return "CompoundStep"
}

// Block returns the union of the members' blocks, sorted.
func (c *CompoundStep) Block() []int { return c.block }

// Density returns the members' common density.
func (c *CompoundStep) Density() LogDensity { return c.Steps[0].Density() }

// Init initializes every member.
func (c *CompoundStep) Init(tune, draws int) error {
	for _, m := range c.Steps {
		if err := m.Init(tune, draws); err != nil {
			return err
		}
	}
	return nil
}

// Step runs every member and merges their statistics: Lp is the final
// one, Diverging is any member's, NSteps is summed, and the HMC/NUTS fields
// (energy, depth, step size, energy errors, acceptance) come from the first
// gradient-based member; without one, Acceptance is the members' mean.
func (c *CompoundStep) Step(s *State, st *Stats) {
	*st = Stats{Tune: s.Tuning}
	hmc := false
	accSum := 0.0
	for _, m := range c.Steps {
		c.tmp = Stats{}
		m.Step(s, &c.tmp)
		t := &c.tmp
		st.Lp = t.Lp
		st.Diverging = st.Diverging || t.Diverging
		st.NSteps += t.NSteps
		accSum += t.Acceptance
		if !hmc && t.StepSize > 0 {
			hmc = true
			st.Energy, st.TreeDepth, st.StepSize = t.Energy, t.TreeDepth, t.StepSize
			st.Acceptance, st.EnergyError, st.MaxEnergyError = t.Acceptance, t.EnergyError, t.MaxEnergyError
		}
		if s.Stopped() {
			return
		}
	}
	if !hmc {
		st.Acceptance = accSum / float64(len(c.Steps))
	}
}

// StepSize returns the first gradient-based member's step size, or 0.
func (c *CompoundStep) StepSize() float64 {
	if a := c.adaptive(); a != nil {
		return a.StepSize()
	}
	return 0
}

// InvMetric returns the first gradient-based member's diagonal metric.
func (c *CompoundStep) InvMetric() []float64 {
	if a := c.adaptive(); a != nil {
		return a.InvMetric()
	}
	return nil
}

// InvMetricDense returns the first gradient-based member's dense metric.
func (c *CompoundStep) InvMetricDense() []float64 {
	if a := c.adaptive(); a != nil {
		return a.InvMetricDense()
	}
	return nil
}

func (c *CompoundStep) adaptive() Adaptive {
	for _, m := range c.Steps {
		if a, ok := m.(Adaptive); ok {
			return a
		}
	}
	return nil
}

// String lists the members and their blocks the way PyMC logs them:
//
//	CompoundStep
//	>NUTS: [alpha, beta]
//	>Metropolis: [switchpoint]
//
// A single member prints as "NUTS: [alpha, beta]".
func (c *CompoundStep) String() string {
	var sb strings.Builder
	prefix := ""
	if len(c.Steps) > 1 {
		sb.WriteString("CompoundStep\n")
		prefix = ">"
	}
	for i, m := range c.Steps {
		if i > 0 {
			sb.WriteByte('\n')
		}
		var names []string
		if c.Names != nil {
			names = c.Names[i]
		} else {
			for _, b := range m.Block() {
				names = append(names, strconv.Itoa(b))
			}
		}
		fmt.Fprintf(&sb, "%s%s: [%s]", prefix, m.Name(), strings.Join(names, ", "))
	}
	return sb.String()
}

// BlockInfo describes one variable (a block of coordinates) for Assign.
type BlockInfo struct {
	// Name is the variable's name, used by CompoundStep.String.
	Name string
	// Indices are the variable's coordinates in the full point.
	Indices []int
	// Discrete marks integer-valued variables.
	Discrete bool
	// Binary marks 0/1 variables (implies Discrete).
	Binary bool
	// Categories is K for a variable with values 0..K-1 (implies Discrete).
	Categories int
	// NoGrad marks a continuous variable whose gradient is unavailable.
	NoGrad bool
}

// AssignOptions are the settings of the methods Assign builds.
type AssignOptions struct {
	// NUTS configures the NUTS member (its Block is set by Assign).
	NUTS NUTSOptions
}

// Assign picks a step method for each variable as PyMC's
// assign_step_methods does, and blocks variables that get the same method
// together: NUTS for continuous variables with a gradient, Slice for those
// without, BinaryGibbsMetropolis for 0/1 variables,
// CategoricalGibbsMetropolis for categorical ones, Metropolis (with integer
// increments) for other discrete variables. Members are ordered NUTS,
// Slice, BinaryGibbsMetropolis, CategoricalGibbsMetropolis, Metropolis.
// Call it once per chain: the methods hold chain state.
func Assign(d LogDensity, blocks []BlockInfo, opt AssignOptions) (*CompoundStep, error) {
	if d == nil {
		return nil, fmt.Errorf("step: Assign: nil density")
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("step: Assign: no variables")
	}
	grad := hasGrad(d)
	type group struct {
		idx   []int
		names []string
		k     []int
	}
	const (
		gNUTS = iota
		gSlice
		gBinary
		gCat
		gMetro
		nGroups
	)
	var groups [nGroups]group
	for _, b := range blocks {
		if len(b.Indices) == 0 {
			return nil, fmt.Errorf("step: Assign: variable %q has no coordinates", b.Name)
		}
		var g int
		switch {
		case b.Binary:
			g = gBinary
		case b.Categories > 0:
			if b.Categories < 2 {
				return nil, fmt.Errorf("step: Assign: variable %q has %d categories, need at least 2", b.Name, b.Categories)
			}
			g = gCat
		case b.Discrete:
			g = gMetro
		case grad && !b.NoGrad:
			g = gNUTS
		default:
			g = gSlice
		}
		gr := &groups[g]
		gr.idx = append(gr.idx, b.Indices...)
		gr.names = append(gr.names, b.Name)
		for range b.Indices {
			gr.k = append(gr.k, b.Categories)
		}
	}
	var steps []Method
	var names [][]string
	for g := range groups {
		gr := &groups[g]
		if len(gr.idx) == 0 {
			continue
		}
		var m Method
		var err error
		switch g {
		case gNUTS:
			o := opt.NUTS
			o.Block = gr.idx
			m, err = NewNUTS(d.(GradDensity), o)
		case gSlice:
			m, err = NewSlice(d, SliceOptions{Block: gr.idx})
		case gBinary:
			m, err = NewBinaryGibbsMetropolis(d, gr.idx)
		case gCat:
			m, err = NewCategoricalGibbsMetropolis(d, gr.idx, gr.k)
		case gMetro:
			m, err = NewMetropolis(d, MetropolisOptions{Block: gr.idx, Discrete: true})
		}
		if err != nil {
			return nil, err
		}
		steps = append(steps, m)
		names = append(names, gr.names)
	}
	return NewCompoundStep(steps, names)
}
