package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Var is one named variable of a posterior sample: Draws[chain][draw][component].
// A scalar has one component; a vector or array variable stores its components
// flattened in row-major order, and Shape gives the array shape (nil or empty
// for a scalar). Discrete marks integer-valued variables, which are drawn as
// histograms instead of densities.
type Var struct {
	Name     string
	Shape    []int
	Draws    [][][]float64
	Discrete bool
}

// Samples is what every figure reads: the variables plus optional sampler
// statistics. It is a plain container so that a pm.Trace, a sample matrix or
// draws from another program can be converted to it in a few lines.
type Samples struct {
	// Vars are the sampled variables, in the order figures show them.
	Vars []Var
	// Diverging marks divergent transitions, [chain][draw]; optional.
	Diverging [][]bool
	// Energy is the Hamiltonian energy per draw, [chain][draw]; optional,
	// needed by Energy.
	Energy [][]float64
	// Observed holds observed data per variable name; optional, needed by PPC,
	// where the variable of the same name holds the posterior predictive draws.
	Observed map[string][]float64
}

// FromMatrix builds Samples from a plain sample matrix with one row per draw
// and one column per name, as one chain. It is the entry point for draws made
// outside gopm (a black-box sampler, a CSV file).
func FromMatrix(names []string, rows [][]float64) (*Samples, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("plots: FromMatrix needs at least one column name")
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("plots: FromMatrix got no rows (draws) for %q", names[0])
	}
	seen := make(map[string]bool, len(names))
	s := &Samples{Vars: make([]Var, len(names))}
	for j, name := range names {
		if name == "" {
			return nil, fmt.Errorf("plots: FromMatrix column %d has an empty name", j)
		}
		if seen[name] {
			return nil, fmt.Errorf("plots: FromMatrix column name %q appears twice", name)
		}
		seen[name] = true
		draws := make([][]float64, len(rows))
		discrete := true
		for i, r := range rows {
			if len(r) != len(names) {
				return nil, fmt.Errorf("plots: FromMatrix row %d has %d values, want %d (one per name)", i, len(r), len(names))
			}
			v := r[j]
			draws[i] = []float64{v}
			if v != math.Trunc(v) {
				discrete = false
			}
		}
		s.Vars[j] = Var{Name: name, Draws: [][][]float64{draws}, Discrete: discrete}
	}
	return s, nil
}

// series is one scalar component of a variable, the unit most figures draw.
type series struct {
	label    string      // "beta[3]" or "alpha"
	varName  string      // "beta"
	comp     int         // flat component index
	chains   [][]float64 // [chain][draw]
	discrete bool
}

// all returns the draws of every chain concatenated, NaNs dropped.
func (s *series) all() []float64 {
	n := 0
	for _, c := range s.chains {
		n += len(c)
	}
	out := make([]float64, 0, n)
	for _, c := range s.chains {
		for _, v := range c {
			if !math.IsNaN(v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// finite returns x without NaN values.
func finite(x []float64) []float64 {
	out := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}

// numComponents is the product of the shape, 1 for a scalar.
func numComponents(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// compLabel names component k of a variable of the given shape, 0-based like
// PyMC and ArviZ coordinates: "beta[2]", "L[1,0]".
func compLabel(name string, shape []int, k int) string {
	if len(shape) == 0 {
		return name
	}
	idx := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = strconv.Itoa(k % shape[d])
		k /= shape[d]
	}
	return name + "[" + strings.Join(idx, ",") + "]"
}

// check validates one variable: consistent chain lengths, component counts
// matching the shape, and at least one finite draw.
func (v *Var) check() error {
	if v.Name == "" {
		return fmt.Errorf("plots: a variable has an empty name")
	}
	if len(v.Draws) == 0 {
		return fmt.Errorf("plots: variable %q has no chains", v.Name)
	}
	ncomp := numComponents(v.Shape)
	if ncomp <= 0 {
		return fmt.Errorf("plots: variable %q has shape %v with no components", v.Name, v.Shape)
	}
	ndraw := len(v.Draws[0])
	finiteSeen := false
	for c, ch := range v.Draws {
		if len(ch) == 0 {
			return fmt.Errorf("plots: variable %q has no draws in chain %d", v.Name, c)
		}
		if len(ch) != ndraw {
			return fmt.Errorf("plots: variable %q has %d draws in chain %d but %d in chain 0", v.Name, len(ch), c, ndraw)
		}
		for d, draw := range ch {
			if len(draw) != ncomp {
				return fmt.Errorf("plots: variable %q draw %d of chain %d has %d components, shape %v needs %d", v.Name, d, c, len(draw), v.Shape, ncomp)
			}
			if !finiteSeen {
				for _, x := range draw {
					if !math.IsNaN(x) && !math.IsInf(x, 0) {
						finiteSeen = true
						break
					}
				}
			}
		}
	}
	if !finiteSeen {
		return fmt.Errorf("plots: variable %q has no finite draws (all NaN or Inf)", v.Name)
	}
	return nil
}

// component extracts component k as [chain][draw].
func (v *Var) component(k int) [][]float64 {
	out := make([][]float64, len(v.Draws))
	for c, ch := range v.Draws {
		x := make([]float64, len(ch))
		for d, draw := range ch {
			x[d] = draw[k]
		}
		out[c] = x
	}
	return out
}

// selection is what a figure draws: the chosen variables, each with the
// chosen components.
type selection struct {
	vars  []*Var
	comps [][]int // comps[i] are the component indices of vars[i]
}

// series flattens the selection into scalar series, in order.
func (sel selection) series() []*series {
	var out []*series
	for i, v := range sel.vars {
		for _, k := range sel.comps[i] {
			out = append(out, &series{
				label:    compLabel(v.Name, v.Shape, k),
				varName:  v.Name,
				comp:     k,
				chains:   v.component(k),
				discrete: v.Discrete,
			})
		}
	}
	return out
}

// selectVars resolves the Vars option against the samples. A name is either a
// variable name or a component such as "beta[2]" or "L[1,0]". With no names,
// every variable is chosen. Only the chosen variables are validated, so a bad
// variable the user did not ask for does not block a figure.
func selectVars(s *Samples, names []string) (selection, error) {
	if s == nil {
		return selection{}, fmt.Errorf("plots: samples are nil")
	}
	if len(s.Vars) == 0 {
		return selection{}, fmt.Errorf("plots: samples hold no variables")
	}
	byName := make(map[string]*Var, len(s.Vars))
	for i := range s.Vars {
		byName[s.Vars[i].Name] = &s.Vars[i]
	}
	var sel selection
	add := func(v *Var, comps []int) {
		for i, w := range sel.vars {
			if w == v {
				sel.comps[i] = append(sel.comps[i], comps...)
				return
			}
		}
		sel.vars = append(sel.vars, v)
		sel.comps = append(sel.comps, comps)
	}
	if len(names) == 0 {
		for i := range s.Vars {
			v := &s.Vars[i]
			if err := v.check(); err != nil {
				return selection{}, err
			}
			add(v, allComps(v))
		}
		return sel, nil
	}
	for _, name := range names {
		if v, ok := byName[name]; ok {
			if err := v.check(); err != nil {
				return selection{}, err
			}
			add(v, allComps(v))
			continue
		}
		base, idx, ok := parseIndexed(name)
		v, found := byName[base]
		if !ok || !found {
			return selection{}, fmt.Errorf("plots: unknown variable %q (have %s)", name, varNames(s))
		}
		if err := v.check(); err != nil {
			return selection{}, err
		}
		k, err := flatIndex(v, idx)
		if err != nil {
			return selection{}, err
		}
		add(v, []int{k})
	}
	return sel, nil
}

func allComps(v *Var) []int {
	n := numComponents(v.Shape)
	c := make([]int, n)
	for i := range c {
		c[i] = i
	}
	return c
}

// parseIndexed splits "beta[1,2]" into "beta" and [1 2].
func parseIndexed(name string) (string, []int, bool) {
	open := strings.IndexByte(name, '[')
	if open <= 0 || !strings.HasSuffix(name, "]") {
		return "", nil, false
	}
	parts := strings.Split(name[open+1:len(name)-1], ",")
	idx := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return "", nil, false
		}
		idx[i] = n
	}
	return name[:open], idx, true
}

func flatIndex(v *Var, idx []int) (int, error) {
	if len(idx) != len(v.Shape) {
		return 0, fmt.Errorf("plots: variable %q has shape %v, index %v has the wrong rank", v.Name, v.Shape, idx)
	}
	k := 0
	for d, i := range idx {
		if i < 0 || i >= v.Shape[d] {
			return 0, fmt.Errorf("plots: index %v out of range for variable %q of shape %v", idx, v.Name, v.Shape)
		}
		k = k*v.Shape[d] + i
	}
	return k, nil
}

func varNames(s *Samples) string {
	names := make([]string, len(s.Vars))
	for i, v := range s.Vars {
		names[i] = v.Name
	}
	const max = 10
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

// shorten cuts long labels so they do not run into neighbouring panels; the
// middle goes, since both the start (variable) and end (index) identify it.
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max || max < 5 {
		return s
	}
	head := (max - 1) / 2
	tail := max - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// selectSeries selects the variables the options ask for and splits them into series (one
// per component), at most limit of them; the note says what was left out ("first 12 of 30
// dimensions shown"), naming what the figure shows (what: "", "rows ", "dimensions ").
func selectSeries(s *Samples, cfg *config, limit int, what string) ([]*series, string, error) {
	sel, err := selectVars(s, cfg.vars)
	if err != nil {
		return nil, "", err
	}
	series := sel.series()
	note := ""
	if len(series) > limit {
		note = fmt.Sprintf("first %d of %d %sshown; choose with plots.Vars", limit, len(series), what)
		series = series[:limit]
	}
	return series, note, nil
}
