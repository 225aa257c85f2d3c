package pm

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/diag"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/step"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// SampleOption configures Sample.
type SampleOption func(*sampleConfig)

type sampleConfig struct {
	draws, tune, chains, cores int
	seed                       uint64
	targetAccept               float64
	maxTreeDepth               int
	adapt                      step.Adapt
	adaptSet                   bool
	method                     string
	stepFunc                   func(d step.LogDensity, blocks []step.BlockInfo) (step.Method, error)
	initvals                   Point
	progress                   func(step.Progress)
	ctx                        context.Context
	keepWarmup                 bool
	backend                    string
	noJitter                   bool
	onDraw                     func(chain, iter int, x []float64)
	streamPath                 string
	storeLogLik                bool
	init                       string // "", "advi" or "pathfinder" (fit.go)
}

// OnDraw is called after every iteration (warm-up included) with the chain, the iteration and
// the flat unconstrained point, from the chains' goroutines concurrently; it must not keep x.
func OnDraw(f func(chain, iter int, x []float64)) SampleOption {
	return func(c *sampleConfig) { c.onDraw = f }
}

// StreamTo writes every kept draw to a CSV file while sampling runs (columns chain, draw,
// then every element of every free variable and deterministic in model space, named as in the
// summary), so that a long run can be watched or survive a crash.
func StreamTo(path string) SampleOption { return func(c *sampleConfig) { c.streamPath = path } }

// Draws is the number of kept draws per chain (default 1000).
func Draws(n int) SampleOption { return func(c *sampleConfig) { c.draws = n } }

// Tune is the number of warm-up iterations per chain (default 1000).
func Tune(n int) SampleOption { return func(c *sampleConfig) { c.tune = n } }

// Chains is the number of chains (default 4).
func Chains(n int) SampleOption { return func(c *sampleConfig) { c.chains = n } }

// Cores is how many chains run at once (default: as many as the machine has, at most Chains).
// The result does not depend on it.
func Cores(n int) SampleOption { return func(c *sampleConfig) { c.cores = n } }

// Seed makes sampling reproducible: the same seed gives the same trace whatever the number of
// cores and on every backend.
func Seed(s uint64) SampleOption { return func(c *sampleConfig) { c.seed = s } }

// TargetAccept is NUTS's target acceptance rate (default 0.8; raise it to 0.9 or 0.95 to
// remove divergences).
func TargetAccept(p float64) SampleOption { return func(c *sampleConfig) { c.targetAccept = p } }

// MaxTreeDepth caps NUTS's tree depth (default 10).
func MaxTreeDepth(d int) SampleOption { return func(c *sampleConfig) { c.maxTreeDepth = d } }

// Metric chooses NUTS's mass-matrix adaptation: "lowrank" (the default: nutpie's low-rank
// modified mass matrix, a diagonal from the variances of the draws and of their gradients
// corrected along the few directions where they show correlations, at O(n·k) per leapfrog step
// for k directions; see step.AdaptLowRank), "diag" (Stan's windowed diagonal), "dense" (a dense
// matrix in Stan's windows, estimated from the covariances of the draws and of their
// gradients: for strongly correlated posteriors of moderate dimension, see step.AdaptDense), or
// "grad" (the diagonal alone, in nutpie's spirit). The default was chosen by ESS per gradient
// over the benchmark suite and five seeds: lowrank's median is 1.07–2.68× Stan's on every
// model, diag's 0.90–1.10× (bench/README.md).
func Metric(kind string) SampleOption {
	return func(c *sampleConfig) {
		c.adaptSet = true
		switch kind {
		case "diag":
			c.adapt = step.AdaptDiag
		case "dense":
			c.adapt = step.AdaptDense
		case "grad":
			c.adapt = step.AdaptGradDiag
		case "lowrank":
			c.adapt = step.AdaptLowRank
		default:
			panic(&Error{Op: "Metric", Msg: fmt.Sprintf("unknown metric %q (use diag, dense, grad or lowrank)", kind)})
		}
	}
}

// Method samples every free variable with one step method: "nuts", "hmc", "metropolis",
// "slice" or "demetropolisz" (default: automatic assignment, as PyMC does it).
func Method(name string) SampleOption {
	return func(c *sampleConfig) { c.method = strings.ToLower(name) }
}

// StepFunc builds the step method of each chain from the model's density and its blocks of
// coordinates (one per free variable), for full control.
func StepFunc(f func(d step.LogDensity, blocks []step.BlockInfo) (step.Method, error)) SampleOption {
	return func(c *sampleConfig) { c.stepFunc = f }
}

// Initvals starts the chains at these values (value variables by value name, or free
// variables by name in their constrained space) instead of the initial point.
func Initvals(p Point) SampleOption { return func(c *sampleConfig) { c.initvals = p } }

// Progress is called with each chain's progress (at most every 100 ms per chain); the REPL and
// the kernel draw progress bars with it.
func Progress(f func(step.Progress)) SampleOption { return func(c *sampleConfig) { c.progress = f } }

// Context cancels sampling when ctx ends: Sample then returns the draws made so far, with
// Trace.Cancelled set and a warning.
func Context(ctx context.Context) SampleOption { return func(c *sampleConfig) { c.ctx = ctx } }

// KeepWarmup keeps the warm-up draws in Trace.Warmup.
func KeepWarmup() SampleOption { return func(c *sampleConfig) { c.keepWarmup = true } }

// NoJitter starts every chain exactly at the initial point (default: PyMC's jitter).
func NoJitter() SampleOption { return func(c *sampleConfig) { c.noJitter = true } }

// SampleBackend runs the model on the named backend.
func SampleBackend(name string) SampleOption { return func(c *sampleConfig) { c.backend = name } }

// Sample draws from the model's posterior: NUTS for continuous variables with gradients, and
// the PyMC step methods for the rest (see Method and StepFunc), chains in parallel goroutines.
// Bad settings, requests that cannot fit in memory and a starting point whose log-density is not
// finite are errors before any chain starts. A chain that fails (its step method cannot be
// built, it finds no finite starting point, its density panics, or it never moves because the
// density is NaN or infinite around it) is an error naming the chain and the cause: when other
// chains succeeded, Sample returns both the trace of the good chains and that error. An
// interrupted run (see Context) returns its partial trace with no error: chains that made no
// draw are dropped, the others are cut to the shortest, and a warning says which.
func (m *Model) Sample(opts ...SampleOption) (tr *Trace, err error) {
	defer catchInto(&err)
	c := sampleConfig{draws: 1000, tune: 1000, chains: 4, seed: 0, targetAccept: 0.8, maxTreeDepth: 10,
		adapt: step.AdaptLowRank, ctx: context.Background()}
	for _, o := range opts {
		o(&c)
	}
	if c.draws < 1 {
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("Draws must be at least 1, got %d", c.draws)}
	}
	if c.tune < 0 {
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("Tune must not be negative, got %d", c.tune)}
	}
	if c.chains < 1 {
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("Chains must be at least 1, got %d", c.chains)}
	}
	if !(c.targetAccept > 0 && c.targetAccept < 1) {
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("TargetAccept must be in (0, 1), got %v", c.targetAccept)}
	}
	if c.stepFunc == nil && c.method != "" && !validMethod(c.method) {
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("unknown step method %q in Method (valid: %s)", c.method, strings.Join(MethodNames, ", "))}
	}
	ld, err := m.Compile(Backend(c.backend))
	if err != nil {
		return nil, err
	}
	start, err := m.InitialPoint()
	if err != nil {
		return nil, err
	}
	if err := m.mergeInitvals(start, c.initvals); err != nil {
		return nil, err
	}
	if err := m.checkInitial("Sample", start); err != nil {
		return nil, err
	}
	x0, err := ld.Flatten(start)
	if err != nil {
		return nil, err
	}
	blocks := m.stepBlocks(ld)
	// The chains lend each other the low-rank warm-up's memory (step.WarmupBuffers): on one
	// core, four chains allocate it once.
	nutsOpt := step.NUTSOptions{TargetAccept: c.targetAccept, MaxTreeDepth: c.maxTreeDepth, Adapt: c.adapt, Buffers: &step.WarmupBuffers{}}
	inits, initGrads := [][]float64{x0}, int64(0)
	if c.init != "" {
		if inits, nutsOpt.InvMetric, initGrads, err = m.initFromFit(c.init, c.chains, c.seed, c.ctx, c.backend); err != nil {
			return nil, err
		}
		c.noJitter = true
	}
	newMethod := func(chain int) (step.Method, error) {
		d := ld.Clone()
		if c.stepFunc != nil {
			return c.stepFunc(d, blocks)
		}
		switch c.method {
		case "":
			return step.Assign(d, blocks, step.AssignOptions{NUTS: nutsOpt})
		case "nuts":
			if !d.HasGrad() {
				return nil, &Error{Op: "Sample", Msg: "NUTS needs a gradient: " + d.NoGradReason()}
			}
			return step.NewNUTS(d, nutsOpt)
		case "hmc":
			if !d.HasGrad() {
				return nil, &Error{Op: "Sample", Msg: "HMC needs a gradient: " + d.NoGradReason()}
			}
			return step.NewHMC(d, step.HMCOptions{TargetAccept: c.targetAccept})
		case "metropolis":
			return step.NewMetropolis(d, step.MetropolisOptions{})
		case "slice":
			return step.NewSlice(d, step.SliceOptions{})
		case "demetropolisz":
			return step.NewDEMetropolisZ(d, step.DEMetropolisZOptions{})
		}
		return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("unknown step method %q in Method (valid: %s)", c.method, strings.Join(MethodNames, ", "))}
	}
	if err := m.checkSampleMemory(ld, c); err != nil {
		return nil, err
	}
	var stream *drawStream
	if c.streamPath != "" {
		if stream, err = m.newDrawStream(c.streamPath, ld, c.chains, c.tune); err != nil {
			return nil, err
		}
	}
	// Leapfrog steps are summed as the chains run (each chain its own counter), so that the
	// warm-up's count needs no kept warm-up statistics.
	leapfrogs := make([]int64, c.chains)
	onDraw := func(chain, iter int, x []float64, st *step.Stats) {
		leapfrogs[chain] += int64(st.NSteps)
		if c.onDraw != nil {
			c.onDraw(chain, iter, x)
		}
		if stream != nil {
			stream.write(chain, iter, x)
		}
	}
	res, err := step.Run(c.ctx, step.Config{
		NewMethod: newMethod, Init: inits, Tune: c.tune, Draws: c.draws, Chains: c.chains,
		Cores: c.cores, Seed: c.seed, KeepWarmup: c.keepWarmup, NoJitter: c.noJitter, Progress: c.progress,
		OnDraw: onDraw,
	})
	if stream != nil {
		if cerr := stream.close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err != nil && res == nil {
		return nil, err
	}
	kept, notes, failErr := settleChains(res, ld)
	if stream != nil && (len(kept) < c.chains || res.Cancelled) {
		if serr := rewriteStream(c.streamPath, kept, res.Chains); serr != nil && failErr == nil {
			failErr = serr
		}
	}
	if len(res.Chains) == 0 && !res.Cancelled {
		return nil, failErr
	}
	tr, terr := m.traceOf(ld, res, false, true)
	if terr != nil {
		return nil, terr
	}
	if c.method != "" && !strings.Contains(tr.Sampler, "[") {
		// One method for every variable: name them as PyMC does ("Metropolis: [a, b]").
		var names []string
		for _, b := range blocks {
			names = append(names, b.Name)
		}
		tr.Sampler += ": [" + strings.Join(names, ", ") + "]"
	}
	tr.InitGradEvals = initGrads
	for _, id := range kept {
		tr.LeapfrogSteps = append(tr.LeapfrogSteps, leapfrogs[id])
	}
	if c.keepWarmup {
		if tr.Warmup, terr = m.buildTrace(ld, res, true); terr != nil {
			return nil, terr
		}
	}
	tr.Settings = c.settings()
	tr.Warnings = append(tr.Warnings, notes...)
	m.addWarnings(tr, c)
	if c.storeLogLik && failErr == nil {
		if lerr := ComputeLogLikelihood(tr, m); lerr != nil {
			return tr, lerr
		}
	}
	return tr, failErr
}

// mergeInitvals overrides the start point with user values, given by value name (unconstrained)
// or by variable name (constrained, transformed here). Variables are taken in model order, so
// that a transform whose bounds depend on an earlier variable uses that variable's start value.
func (m *Model) mergeInitvals(start, init Point) error {
	for _, k := range sortedKeys(init) {
		v := init[k]
		if _, ok := start[k]; ok {
			if len(v) != len(start[k]) {
				return &Error{Op: "Initvals", Var: k, Msg: fmt.Sprintf("has %d values but the variable has %d", len(v), len(start[k]))}
			}
			start[k] = append([]float64(nil), v...)
			continue
		}
		rv := m.byName[k]
		if rv == nil || rv.Kind != Free {
			return &Error{Op: "Initvals", Var: k, Msg: "is not a free variable or value variable of the model"}
		}
	}
	for _, rv := range m.FreeVars() {
		v, ok := init[rv.Name]
		if !ok || rv.Name == rv.ValueName() {
			continue
		}
		p, err := m.valueOf(rv, v, start)
		if err != nil {
			return err
		}
		start[rv.ValueName()] = p
	}
	return nil
}

// stepBlocks describes the free variables for step assignment.
func (m *Model) stepBlocks(ld *LogDensity) []step.BlockInfo {
	var blocks []step.BlockInfo
	for i, b := range ld.Blocks() {
		rv := ld.free[i]
		info := step.BlockInfo{Name: b.Var, Discrete: b.Discrete, NoGrad: !ld.HasGrad()}
		for k := 0; k < b.Size; k++ {
			info.Indices = append(info.Indices, b.Offset+k)
		}
		if b.Discrete {
			s := rv.Dist.Support()
			lo, hi := constBound(s.Lower), constBound(s.Upper)
			switch {
			case s.Kind == dist.Integers && lo == 0 && hi == 1:
				info.Binary = true
			case rv.Dist.Name() == "Categorical" && lo == 0 && !math.IsInf(hi, 1):
				info.Categories = int(hi) + 1
			}
		}
		blocks = append(blocks, info)
	}
	return blocks
}

// constBound is a constant scalar bound's value, NaN if the bound is absent or not constant.
func constBound(t *tensor.Tensor) float64 {
	if t == nil {
		return math.NaN()
	}
	if v := t.Value(); v != nil && v.Size() == 1 {
		return v.Data[0]
	}
	return math.NaN()
}

// valueOf maps constrained values of a free variable to its value variable's space; the other
// free variables (which the transform's bounds may depend on) take their values in start.
func (m *Model) valueOf(rv *RV, v []float64, start Point) (out []float64, err error) {
	defer catchInto(&err)
	if len(v) != sizeOf(rv.Shape) {
		return nil, &Error{Op: "Initvals", Var: rv.Name, Msg: fmt.Sprintf("has %d values but the variable has %d", len(v), sizeOf(rv.Shape))}
	}
	a := &tensor.Array{DType: tensor.Float64, Shape: append([]int{}, rv.Shape...), Data: append([]float64(nil), v...)}
	if i := rv.Dist.Support().Contains(a); i >= 0 {
		return nil, &Error{Op: "Initvals", Var: rv.Name, Msg: fmt.Sprintf("value %v at index %d is outside the support (%s)", v[i], i, rv.Dist.Support())}
	}
	if rv.Transform == nil {
		return a.Data, nil
	}
	repl := map[*tensor.Tensor]*tensor.Tensor{}
	for _, o := range m.FreeVars() {
		if x, ok := start[o.ValueName()]; ok && o != rv {
			repl[o.Value] = tensor.Const(&tensor.Array{DType: o.Value.DType(), Shape: append([]int{}, o.Value.Shape()...), Data: x})
		}
	}
	ys, err := tensor.Eval(tensor.Replace([]*tensor.Tensor{rv.Transform.Forward(tensor.Const(a))}, repl)[0])
	if err != nil {
		return nil, err
	}
	return ys[0].Floats(), nil
}

// buildTrace turns the runner's flat draws into per-variable draws in model space, with the
// deterministics, by evaluating the compiled point function at each draw.
func (m *Model) buildTrace(ld *LogDensity, res *step.Result, warmup bool) (*Trace, error) {
	return m.traceOf(ld, res, warmup, false)
}

// traceOf is buildTrace. With own, the trace takes over the runner's kept draws, so that a run
// holds its draws about once, not twice: when the free variables stored untransformed make up
// at least half of the flat point (stochastic volatility's latent states, say), their draws
// are views of the runner's rows (capped, so that an append cannot reach the next variable);
// otherwise every value is copied and each chain's rows are released once copied.
func (m *Model) traceOf(ld *LogDensity, res *step.Result, warmup, own bool) (*Trace, error) {
	f, names, err := m.pointFunction(ld.backend)
	if err != nil {
		return nil, err
	}
	tr := &Trace{Sampler: res.Method, Cancelled: res.Cancelled, Backend: ld.backend}
	byName := map[string]*RV{}
	for _, rv := range m.pointVars() {
		byName[rv.Name] = rv
	}
	offset := map[*RV]int{}
	for i, rv := range ld.free {
		offset[rv] = ld.offsets[i]
	}
	view := make([]int, len(names)) // offset of a variable's values in the flat point, or -1
	viewed := 0
	for k, n := range names {
		rv := byName[n]
		discrete := rv.Kind == Free && rv.Dist.DType() != tensor.Float64 ||
			rv.Kind == Deterministic && !rv.Tensor.DType().IsFloat() // an integer function of variables
		tr.Vars = append(tr.Vars, &TraceVar{Name: n, Shape: append([]int{}, rv.Tensor.Shape()...), Discrete: discrete,
			Draws: make([][][]float64, len(res.Chains))})
		view[k] = -1
		if off, ok := offset[rv]; ok && own && !warmup && rv.Tensor == rv.Value && rv.Value.DType().IsFloat() {
			view[k] = off
			viewed += sizeOf(rv.Shape)
		}
	}
	if 2*viewed < ld.Dim() {
		for k := range view {
			view[k] = -1
		}
		viewed = 0
	}
	nc := len(res.Chains)
	st := &tr.Stats
	st.Lp, st.Diverging, st.Energy, st.EnergyError = make([][]float64, nc), make([][]bool, nc), make([][]float64, nc), make([][]float64, nc)
	st.TreeDepth, st.NSteps, st.StepSize, st.Acceptance, st.MaxEnergyError = make([][]int, nc), make([][]int, nc), make([][]float64, nc), make([][]float64, nc), make([][]float64, nc)
	for c := range res.Chains {
		ch := &res.Chains[c]
		draws, stats := ch.Draws, ch.Stats
		if warmup {
			draws, stats = ch.WarmupDraws, ch.WarmupStats
		}
		tr.GradEvals = append(tr.GradEvals, ch.GradEvals)
		tr.WarmupGradEvals = append(tr.WarmupGradEvals, ch.WarmupGradEvals)
		tr.WarmupSeconds = append(tr.WarmupSeconds, ch.WarmupSeconds)
		tr.SamplingSeconds = append(tr.SamplingSeconds, ch.SamplingSeconds)
		tr.StepSize = append(tr.StepSize, ch.StepSize)
		inv := ch.InvMetric
		if ch.InvMetricDense != nil {
			inv = ch.InvMetricDense
		}
		tr.InvMetric = append(tr.InvMetric, inv)
		// The values a variable takes are stored in blocks of up to traceBlockBytes, each the
		// rows of some consecutive draws: blocks that size fit into memory the sampler's
		// warm-up freed, where one block of all draws (4 MB a chain for stochastic
		// volatility's states) needs fresh pages.
		blocks := make([][]float64, len(tr.Vars))
		for _, v := range tr.Vars {
			v.Draws[c] = make([][]float64, len(draws))
		}
		for d, x := range draws {
			ld.bind(x)
			outs, err := f.Run(ld.args...)
			if err != nil {
				return nil, &Error{Op: "Sample", Msg: fmt.Sprintf("computing the variables at draw %d of chain %d: %v", d, c, err)}
			}
			for k, v := range tr.Vars {
				size := v.Size()
				if off := view[k]; off >= 0 {
					v.Draws[c][d] = x[off : off+size : off+size]
					continue
				}
				if len(blocks[k]) < size {
					rows := max(1, traceBlockBytes/(8*size))
					blocks[k] = make([]float64, min(rows, len(draws)-d)*size)
				}
				row := blocks[k][:size:size]
				blocks[k] = blocks[k][size:]
				copy(row, outs[k].Data)
				v.Draws[c][d] = row
			}
		}
		if own && !warmup && viewed == 0 {
			ch.Draws = nil // copied: the trace holds the values
		}
		n := len(stats)
		st.Lp[c], st.Diverging[c], st.Energy[c], st.EnergyError[c] = make([]float64, n), make([]bool, n), make([]float64, n), make([]float64, n)
		st.TreeDepth[c], st.NSteps[c], st.StepSize[c], st.Acceptance[c], st.MaxEnergyError[c] = make([]int, n), make([]int, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i, s := range stats {
			st.Lp[c][i], st.Diverging[c][i], st.Energy[c][i], st.EnergyError[c][i] = s.Lp, s.Diverging, s.Energy, s.EnergyError
			st.TreeDepth[c][i], st.NSteps[c][i], st.StepSize[c][i], st.Acceptance[c][i], st.MaxEnergyError[c][i] = s.TreeDepth, s.NSteps, s.StepSize, s.Acceptance, s.MaxEnergyError
		}
		if own && !warmup {
			ch.Stats = nil // copied: Sample reads the trace's
		}
	}
	return tr, nil
}

// traceBlockBytes is the size of the blocks traceOf stores computed values in.
const traceBlockBytes = 64 << 10

// addWarnings runs the post-sampling checks PyMC and Stan run: the sampler's statistics, and
// R-hat and ESS of every element of the free variables (PyMC's run_convergence_checks checks
// those, not the deterministics, which are functions of them), computed by a diag.Checker: only
// those columns of a summary, with scratch reused from element to element.
func (m *Model) addWarnings(tr *Trace, c sampleConfig) {
	st := diag.SamplerStats{Divergences: tr.Divergences(), TargetAccept: c.targetAccept}
	usesNUTS := strings.Contains(tr.Sampler, "NUTS")
	if usesNUTS {
		st.MaxTreeDepth = c.maxTreeDepth
		for _, ch := range tr.Stats.TreeDepth {
			for _, d := range ch {
				if d >= c.maxTreeDepth {
					st.TreeDepthHits++
				}
			}
		}
		st.EBFMI = tr.ebfmi()
	}
	nc, nd := tr.NChains(), tr.NDraws()
	if nd < 4 {
		for _, w := range diag.Warnings(nil, st) {
			tr.Warnings = append(tr.Warnings, w.Message)
		}
		return
	}
	k := diag.NewChecker(nc, nd)
	// Elements are gathered eight at a time (a cache line of each draw), into one column each.
	const group = 8
	cols := make([]float64, group*nc*nd)
	for _, v := range tr.Vars {
		if rv := m.byName[v.Name]; rv == nil || rv.Kind != Free {
			continue
		}
		names := v.ComponentNames()
		for i0 := 0; i0 < len(names); i0 += group {
			g := min(group, len(names)-i0)
			for ch, draws := range v.Draws {
				for d := 0; d < nd; d++ {
					row := draws[d][i0 : i0+g]
					for j, val := range row {
						cols[j*nc*nd+ch*nd+d] = val
					}
				}
			}
			for j := 0; j < g; j++ {
				k.Add(names[i0+j], cols[j*nc*nd:(j+1)*nc*nd]) // cannot fail: chains × draws values
			}
		}
	}
	for _, w := range k.Warnings(st) {
		tr.Warnings = append(tr.Warnings, w.Message)
	}
}
