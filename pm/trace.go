package pm

import (
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/diag"
)

// TraceVar is one recorded variable: Draws[chain][draw] holds its value at that draw,
// flattened row-major (one element for a scalar).
type TraceVar struct {
	Name     string
	Shape    []int
	Discrete bool
	Draws    [][][]float64
}

// Size is the number of elements of one value.
func (v *TraceVar) Size() int { return sizeOf(v.Shape) }

// ComponentNames names each element PyMC/ArviZ style: "beta[0]", "beta[1]"; "sigma" for a
// scalar; "L[1,0]" for matrices.
func (v *TraceVar) ComponentNames() []string {
	n := v.Size()
	if len(v.Shape) == 0 {
		return []string{v.Name}
	}
	names := make([]string, n)
	idx := make([]int, len(v.Shape))
	for i := 0; i < n; i++ {
		parts := make([]string, len(idx))
		for k, d := range idx {
			parts[k] = fmt.Sprint(d)
		}
		names[i] = v.Name + "[" + strings.Join(parts, ",") + "]"
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < v.Shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return names
}

// Component returns element i of the variable at every draw, [chain][draw]: the layout the
// diagnostics take.
func (v *TraceVar) Component(i int) [][]float64 {
	out := make([][]float64, len(v.Draws))
	for c, ch := range v.Draws {
		col := make([]float64, len(ch))
		for d, x := range ch {
			col[d] = x[i]
		}
		out[c] = col
	}
	return out
}

// SampleStats are the sampler's statistics, [chain][draw], named as ArviZ names them. Fields
// a sampler does not produce are zero (NaN for the step size without HMC).
type SampleStats struct {
	Lp             [][]float64
	Diverging      [][]bool
	Energy         [][]float64
	EnergyError    [][]float64
	TreeDepth      [][]int
	NSteps         [][]int
	StepSize       [][]float64
	Acceptance     [][]float64
	MaxEnergyError [][]float64
}

// Trace holds the draws of a sampling run: every free variable (in its constrained space) and
// every deterministic, per chain and draw, with the sampler's statistics, warm-up draws if
// kept, the step methods used and the warnings of the run.
type Trace struct {
	Vars    []*TraceVar
	Stats   SampleStats
	Warmup  *Trace // warm-up draws and stats when kept, else nil
	Sampler string // e.g. "NUTS: [alpha, beta, sigma]" or a CompoundStep listing
	// Warnings are the post-sampling checks PyMC and Stan print (divergences, tree depth,
	// E-BFMI, and R-hat and ESS of the free variables, as PyMC checks them), in words.
	Warnings []string
	// Cancelled is true when sampling was interrupted; the trace holds the draws made.
	Cancelled bool
	// GradEvals counts gradient evaluations per chain, warm-up included; WarmupGradEvals
	// those of the warm-up, and InitGradEvals those of an initialization (Init("pathfinder")).
	GradEvals       []int64
	WarmupGradEvals []int64
	InitGradEvals   int64
	// LeapfrogSteps counts, per chain, the leapfrog steps of HMC and NUTS in warm-up and draws:
	// Stan's n_leapfrog__ summed over both. GradEvals counts these and also the gradients of
	// finding a starting point and of the step-size searches, which Stan's count leaves out.
	// Zero for samplers without trajectories; nil for a trace read from a file.
	LeapfrogSteps []int64
	// WarmupSeconds and SamplingSeconds are per-chain wall times.
	WarmupSeconds, SamplingSeconds []float64
	// Backend names the backend the model ran on.
	Backend string
	// Settings are the settings of the run (zero for a trace read from a file).
	Settings SampleSettings
	// StepSize is each chain's adapted step size (0 without HMC or NUTS); InvMetric is each
	// chain's adapted inverse metric over the unconstrained coordinates: its diagonal, or the
	// dense matrix row-major (nil without HMC or NUTS).
	StepSize  []float64
	InvMetric [][]float64
	// LogLikelihood holds the pointwise log-likelihood of each observed variable, one value
	// per observation at every draw (see ComputeLogLikelihood and StoreLogLikelihood); nil
	// until computed. LOO, WAIC and Compare read it.
	LogLikelihood []*TraceVar
	// ObservedData holds each observed variable's data, flattened, stored with LogLikelihood.
	ObservedData map[string][]float64

	unconstrained [][]float64 // a fit's draws on the unconstrained space (Approximation)
}

// NChains is the number of chains.
func (t *Trace) NChains() int {
	if len(t.Vars) == 0 {
		return 0
	}
	return len(t.Vars[0].Draws)
}

// NDraws is the number of draws per chain (the shortest chain's, if cancelled).
func (t *Trace) NDraws() int {
	if len(t.Vars) == 0 || len(t.Vars[0].Draws) == 0 {
		return 0
	}
	n := len(t.Vars[0].Draws[0])
	for _, ch := range t.Vars[0].Draws {
		if len(ch) < n {
			n = len(ch)
		}
	}
	return n
}

// Var returns the named variable, or nil.
func (t *Trace) Var(name string) *TraceVar {
	for _, v := range t.Vars {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Names lists the recorded variables.
func (t *Trace) Names() []string {
	l := make([]string, len(t.Vars))
	for i, v := range t.Vars {
		l[i] = v.Name
	}
	return l
}

// Values returns every draw of a scalar variable (or of element 0 of a vector), chains
// concatenated. It returns nil for an unknown name.
func (t *Trace) Values(name string) []float64 {
	v := t.Var(name)
	if v == nil {
		return nil
	}
	return t.ValuesAt(name, 0)
}

// ValuesAt returns every draw of element i of a variable, chains concatenated.
func (t *Trace) ValuesAt(name string, i int) []float64 {
	v := t.Var(name)
	if v == nil || i < 0 || i >= v.Size() {
		return nil
	}
	var out []float64
	for _, ch := range v.Draws {
		for _, x := range ch {
			out = append(out, x[i])
		}
	}
	return out
}

// Mean is the posterior mean of each element of a variable, all chains pooled.
func (t *Trace) Mean(name string) []float64 {
	v := t.Var(name)
	if v == nil {
		return nil
	}
	m := make([]float64, v.Size())
	n := 0
	for _, ch := range v.Draws {
		for _, x := range ch {
			for i := range m {
				m[i] += x[i]
			}
			n++
		}
	}
	for i := range m {
		m[i] /= float64(n)
	}
	return m
}

// Divergences counts divergent draws after warm-up, over all chains.
func (t *Trace) Divergences() int {
	n := 0
	for _, ch := range t.Stats.Diverging {
		for _, d := range ch {
			if d {
				n++
			}
		}
	}
	return n
}

// String describes the trace in one paragraph.
func (t *Trace) String() string {
	s := fmt.Sprintf("Trace: %d chains x %d draws of %s", t.NChains(), t.NDraws(), strings.Join(t.Names(), ", "))
	if t.Sampler != "" {
		s += "\nSampler: " + strings.ReplaceAll(t.Sampler, "\n", " ")
	}
	if n := t.Divergences(); n > 0 {
		s += fmt.Sprintf("\n%d divergences", n)
	}
	if t.Cancelled {
		s += "\n(interrupted: partial trace)"
	}
	return s
}

// SummaryOption configures Summary.
type SummaryOption = diag.Option

// HDIProb sets the HDI probability of the summary (default 0.94).
func HDIProb(p float64) SummaryOption { return diag.HDIProb(p) }

// Summary is ArviZ's summary table of a trace (mean, sd, hdi_3%, hdi_97%, mcse_mean, mcse_sd,
// ess_bulk, ess_tail, r_hat), one row per element of every variable, optionally only of the
// named variables. It prints as a text table and renders as HTML in Jupyter.
func Summary(t *Trace, vars ...any) (*diag.Summary, error) {
	var opts []diag.Option
	var want []string
	for _, v := range vars {
		switch x := v.(type) {
		case string:
			want = append(want, x)
		case []string:
			want = append(want, x...)
		case diag.Option:
			opts = append(opts, x)
		default:
			return nil, &Error{Op: "Summary", Msg: fmt.Sprintf("unexpected argument of type %T (want variable names or options)", v)}
		}
	}
	if t == nil || len(t.Vars) == 0 {
		return nil, &Error{Op: "Summary", Msg: "the trace is empty"}
	}
	var names []string
	var draws [][][]float64
	sel := t.Vars
	if len(want) > 0 {
		sel = nil
		for _, n := range want {
			v := t.Var(n)
			if v == nil {
				return nil, &Error{Op: "Summary", Var: n, Msg: fmt.Sprintf("no such variable in the trace (it has %s)", strings.Join(t.Names(), ", "))}
			}
			sel = append(sel, v)
		}
	}
	for _, v := range sel {
		for i, cn := range v.ComponentNames() {
			names = append(names, cn)
			draws = append(draws, v.Component(i))
		}
	}
	return diag.Summarize(names, draws, opts...)
}

// ebfmi returns E-BFMI per chain (NaN where there are no energies).
func (t *Trace) ebfmi() []float64 {
	out := make([]float64, len(t.Stats.Energy))
	for c, e := range t.Stats.Energy {
		if len(e) < 2 {
			out[c] = math.NaN()
			continue
		}
		out[c] = diag.EBFMI(e)
	}
	return out
}
