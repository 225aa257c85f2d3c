package step

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is a sampling run.
type Config struct {
	// NewMethod builds the step method of chain c. It is called once per
	// chain, from that chain's goroutine: the method and its density must
	// not share mutable state with other chains' (e.g. build a compiled
	// density per chain if it keeps scratch buffers).
	NewMethod func(chain int) (Method, error)
	// Init holds the initial point of each chain, or a single point used by
	// all chains.
	Init [][]float64
	// Tune is the number of warm-up iterations per chain.
	Tune int
	// Draws is the number of kept iterations per chain.
	Draws int
	// Chains is the number of chains (default 1).
	Chains int
	// Cores is how many chains run at once (default min(Chains, GOMAXPROCS)).
	Cores int
	// Seed determines everything random: chain c's source depends on
	// (Seed, c) only, so results do not depend on Cores.
	Seed uint64
	// KeepWarmup keeps the warm-up draws and statistics.
	KeepWarmup bool
	// NoJitter starts exactly at Init instead of adding U(-1, 1) jitter to
	// the continuous coordinates (PyMC's jitter+adapt_diag).
	NoJitter bool
	// JitterMaxRetries is the number of jittered starts tried before giving
	// up (default 10, as PyMC's jitter_max_retries).
	JitterMaxRetries int
	// Progress, if not nil, is called with each chain's progress at most
	// every ProgressInterval per chain, and once when a chain ends. Calls
	// are serialized, so it need not be safe for concurrent use.
	Progress func(Progress)
	// ProgressInterval is the minimum time between progress calls of one
	// chain (default 100 ms).
	ProgressInterval time.Duration
	// OnDraw, if not nil, is called after every iteration with the chain,
	// the iteration index (warm-up included), the point and its
	// statistics, e.g. to stream draws to a file as sampling runs. It is
	// called from the chains' goroutines concurrently and must not keep x.
	OnDraw func(chain, iter int, x []float64, st *Stats)
}

// Progress reports one chain's progress.
type Progress struct {
	// Chain is the chain index.
	Chain int
	// Done is the iterations made, warm-up included; Total is Tune+Draws.
	Done, Total int
	// Tuning is true while in warm-up.
	Tuning bool
	// Divergences counts divergent draws after warm-up; WarmupDivergences
	// those during warm-up.
	Divergences, WarmupDivergences int
	// StepSize is the step size of the last draw (0 without HMC/NUTS).
	StepSize float64
	// GradEvals counts gradient evaluations so far.
	GradEvals int64
	// Elapsed is the chain's running time.
	Elapsed time.Duration
	// Finished is true in the last call for the chain.
	Finished bool
}

// Chain is the output of one chain.
type Chain struct {
	// Chain is the chain index.
	Chain int
	// Init is the starting point after jitter.
	Init []float64
	// Draws are the kept draws, [draw][coordinate] over the full point.
	Draws [][]float64
	// Stats are the statistics of each kept draw.
	Stats []Stats
	// WarmupDraws and WarmupStats are the warm-up iterations, when kept.
	WarmupDraws [][]float64
	WarmupStats []Stats
	// GradEvals and LogpEvals count density evaluations (with and without
	// gradient), warm-up included; WarmupGradEvals those during warm-up.
	GradEvals, LogpEvals, WarmupGradEvals int64
	// WarmupSeconds and SamplingSeconds are wall times of the two phases.
	WarmupSeconds, SamplingSeconds float64
	// StepSize is the final step size (0 without HMC/NUTS).
	StepSize float64
	// InvMetric is the final diagonal inverse metric (nil if none or dense).
	InvMetric []float64
	// InvMetricDense is the final dense inverse metric, row-major.
	InvMetricDense []float64
	// Cancelled is true if the chain stopped early; Draws then holds the
	// draws made.
	Cancelled bool
	// Err is the error that ended the chain, if any: a *ChainError.
	Err error
}

// ChainError is why a chain failed: the chain and the cause (a step method that could not be
// built, no finite starting point, a panic in the density).
type ChainError struct {
	Chain int
	Err   error
}

// Error implements error.
func (e *ChainError) Error() string { return fmt.Sprintf("step: chain %d: %v", e.Chain, e.Err) }

// Unwrap returns the cause.
func (e *ChainError) Unwrap() error { return e.Err }

// Divergences counts divergent kept draws.
func (c *Chain) Divergences() int {
	n := 0
	for _, s := range c.Stats {
		if s.Diverging {
			n++
		}
	}
	return n
}

// Result is the output of Run.
type Result struct {
	// Chains holds one entry per chain, in chain order.
	Chains []Chain
	// Cancelled is true if the context ended sampling early.
	Cancelled bool
	// Method describes chain 0's step method (its String, or Name).
	Method string
}

// Column returns coordinate i of every kept draw, [chain][draw], the layout
// diagnostics take.
func (r *Result) Column(i int) [][]float64 {
	out := make([][]float64, len(r.Chains))
	for c, ch := range r.Chains {
		col := make([]float64, len(ch.Draws))
		for d, x := range ch.Draws {
			col[d] = x[i]
		}
		out[c] = col
	}
	return out
}

// splitmix64 is a bijective 64-bit mixer (Steele et al. 2014), used to
// derive well-separated chain seeds from (seed, chain).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// ChainRand returns the random source of chain c for seed; it depends on
// (seed, c) only.
func ChainRand(seed uint64, c int) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(uint64(c)+0x632be59bd9b4e019))
	b := splitmix64(a ^ 0xd1b54a32d192ed03)
	return rand.New(rand.NewPCG(a, b))
}

// Run samples cfg.Chains chains, at most cfg.Cores at a time. When ctx is
// cancelled, every chain stops within one density evaluation (NUTS checks
// between leapfrog steps), and Run returns the draws made so far with
// Result.Cancelled set and a nil error. A chain that cannot start (no
// finite initial point) or whose density panics makes Run return an error
// along with the other chains' results.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.NewMethod == nil {
		return nil, fmt.Errorf("step: Run: NewMethod is nil")
	}
	if cfg.Tune < 0 || cfg.Draws < 0 {
		return nil, fmt.Errorf("step: Run: Tune %d and Draws %d must not be negative", cfg.Tune, cfg.Draws)
	}
	chains := cfg.Chains
	if chains == 0 {
		chains = 1
	}
	if chains < 0 {
		return nil, fmt.Errorf("step: Run: Chains %d is negative", chains)
	}
	if len(cfg.Init) != 1 && len(cfg.Init) != chains {
		return nil, fmt.Errorf("step: Run: Init has %d points, want 1 or Chains = %d", len(cfg.Init), chains)
	}
	cores := cfg.Cores
	if cores <= 0 {
		cores = min(chains, runtime.GOMAXPROCS(0))
	}
	cores = min(cores, chains)
	if ctx == nil {
		ctx = context.Background()
	}
	var stop atomic.Bool
	unhook := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer unhook()
	if ctx.Err() != nil {
		stop.Store(true)
	}

	res := &Result{Chains: make([]Chain, chains)}
	var progMu sync.Mutex
	progressBroken := false
	report := func(p Progress) {
		if cfg.Progress == nil {
			return
		}
		progMu.Lock()
		defer progMu.Unlock()
		if progressBroken {
			return
		}
		// A panicking progress display must not take the samples with it:
		// it is switched off instead.
		defer func() {
			if recover() != nil {
				progressBroken = true
			}
		}()
		cfg.Progress(p)
	}
	sem := make(chan struct{}, cores)
	var wg sync.WaitGroup
	var descMu sync.Mutex
	for c := 0; c < chains; c++ {
		// Chains start in order, so that an interrupted run has started a prefix of them.
		sem <- struct{}{}
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			defer func() { <-sem }()
			init := cfg.Init[0]
			if len(cfg.Init) > 1 {
				init = cfg.Init[c]
			}
			ch := &res.Chains[c]
			ch.Chain = c
			desc := runChain(ch, cfg, c, init, &stop, report)
			if c == 0 {
				descMu.Lock()
				res.Method = desc
				descMu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	var errs []string
	for i := range res.Chains {
		if res.Chains[i].Cancelled {
			res.Cancelled = true
		}
		if err := res.Chains[i].Err; err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return res, nil
}

// describe returns a method's String if it has one, else its name.
func describe(m Method) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return m.Name()
}

// discreteMask marks the coordinates of methods that move on integers.
func discreteMask(m Method, mask []bool) {
	if c, ok := m.(*CompoundStep); ok {
		for _, s := range c.Steps {
			discreteMask(s, mask)
		}
		return
	}
	if d, ok := m.(interface{ Discrete() bool }); ok && d.Discrete() {
		for _, b := range m.Block() {
			mask[b] = true
		}
	}
}

// usesGrad reports whether m or a member is gradient-based.
func usesGrad(m Method) bool {
	if c, ok := m.(*CompoundStep); ok {
		for _, s := range c.Steps {
			if usesGrad(s) {
				return true
			}
		}
		return false
	}
	_, ok := m.(Adaptive)
	return ok
}

func fmtPoint(x []float64) string {
	const maxShown = 8
	var sb strings.Builder
	sb.WriteByte('[')
	for i, v := range x {
		if i == maxShown {
			fmt.Fprintf(&sb, " ... (%d more)", len(x)-maxShown)
			break
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%.4g", v)
	}
	sb.WriteByte(']')
	return sb.String()
}

// start finds a finite starting point by jittering init (PyMC's
// jitter+adapt_diag), evaluating logp and, for gradient methods, the
// gradient.
func start(m Method, cfg Config, init []float64, rng *rand.Rand, s *State) error {
	d := m.Density()
	n := d.Dim()
	if len(init) != n {
		return fmt.Errorf("initial point has %d coordinates, density has dimension %d", len(init), n)
	}
	mask := make([]bool, n)
	discreteMask(m, mask)
	grad := usesGrad(m)
	gd, _ := d.(GradDensity)
	tries := 1
	if !cfg.NoJitter {
		tries = cfg.JitterMaxRetries
		if tries <= 0 {
			tries = 10
		}
	}
	var why string
	for t := 0; t < tries; t++ {
		copy(s.X, init)
		if !cfg.NoJitter {
			for i := range s.X {
				if !mask[i] {
					s.X[i] += 2*rng.Float64() - 1
				}
			}
		}
		var lp float64
		if grad && gd != nil {
			lp = gd.LogpGrad(s.X, s.Grad)
			s.NGrad++
		} else {
			lp = d.Logp(s.X)
			s.NLogp++
		}
		if !finite(lp) {
			why = fmt.Sprintf("logp = %v at x = %s", lp, fmtPoint(s.X))
			continue
		}
		bad := -1
		if grad {
			for i, g := range s.Grad {
				if !finite(g) {
					bad = i
					break
				}
			}
		}
		if bad >= 0 {
			why = fmt.Sprintf("gradient[%d] = %v at x = %s", bad, s.Grad[bad], fmtPoint(s.X))
			continue
		}
		s.Lp = lp
		s.GradOK = grad && gd != nil
		return nil
	}
	return fmt.Errorf("no finite starting point in %d attempt(s): last %s", tries, why)
}

// runChain runs one chain into ch and returns the method's description.
func runChain(ch *Chain, cfg Config, c int, init []float64, stop *atomic.Bool, report func(Progress)) (desc string) {
	t0 := time.Now()
	total := cfg.Tune + cfg.Draws
	prog := Progress{Chain: c, Total: total, Tuning: cfg.Tune > 0}
	var s *State
	defer func() {
		if r := recover(); r != nil {
			ch.Err = &ChainError{Chain: c, Err: fmt.Errorf("panic during sampling: %v", r)}
		}
		if s != nil {
			ch.GradEvals, ch.LogpEvals = s.NGrad, s.NLogp
			prog.GradEvals = s.NGrad
		}
		prog.Elapsed = time.Since(t0)
		prog.Finished = true
		report(prog)
	}()
	if stop.Load() {
		ch.Cancelled = true
		return ""
	}
	m, err := cfg.NewMethod(c)
	if err != nil {
		ch.Err = &ChainError{Chain: c, Err: err}
		return ""
	}
	if m == nil || m.Density() == nil {
		ch.Err = &ChainError{Chain: c, Err: fmt.Errorf("NewMethod returned no method or no density")}
		return ""
	}
	desc = describe(m)
	n := m.Density().Dim()
	rng := ChainRand(cfg.Seed, c)
	s = &State{X: make([]float64, n), Lp: math.NaN(), Grad: make([]float64, n), Rng: rng, stop: stop}
	if err := start(m, cfg, init, rng, s); err != nil {
		ch.Err = &ChainError{Chain: c, Err: err}
		return desc
	}
	ch.Init = append([]float64(nil), s.X...)
	if err := m.Init(cfg.Tune, cfg.Draws); err != nil {
		ch.Err = &ChainError{Chain: c, Err: err}
		return desc
	}
	slab := make([]float64, cfg.Draws*n)
	ch.Draws = make([][]float64, 0, cfg.Draws)
	ch.Stats = make([]Stats, 0, cfg.Draws)
	var wslab []float64
	if cfg.KeepWarmup {
		wslab = make([]float64, cfg.Tune*n)
		ch.WarmupDraws = make([][]float64, 0, cfg.Tune)
		ch.WarmupStats = make([]Stats, 0, cfg.Tune)
	}
	interval := cfg.ProgressInterval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	lastReport := t0
	tSample := t0
	sampling := false
	var st Stats
	for i := 0; i < total; i++ {
		if stop.Load() {
			ch.Cancelled = true
			break
		}
		tuning := i < cfg.Tune
		if i == cfg.Tune {
			sampling = true
			tSample = time.Now()
			ch.WarmupSeconds = tSample.Sub(t0).Seconds()
			ch.WarmupGradEvals = s.NGrad
		}
		s.Iter, s.Tuning = i, tuning
		m.Step(s, &st)
		if s.Stopped() {
			// The transition was cut short: it is not a valid draw.
			ch.Cancelled = true
			break
		}
		if tuning {
			if st.Diverging {
				prog.WarmupDivergences++
			}
			if cfg.KeepWarmup {
				row := wslab[i*n : (i+1)*n : (i+1)*n]
				copy(row, s.X)
				ch.WarmupDraws = append(ch.WarmupDraws, row)
				ch.WarmupStats = append(ch.WarmupStats, st)
			}
		} else {
			if st.Diverging {
				prog.Divergences++
			}
			k := i - cfg.Tune
			row := slab[k*n : (k+1)*n : (k+1)*n]
			copy(row, s.X)
			ch.Draws = append(ch.Draws, row)
			ch.Stats = append(ch.Stats, st)
		}
		if cfg.OnDraw != nil {
			cfg.OnDraw(c, i, s.X, &st)
		}
		prog.Done = i + 1
		prog.StepSize = st.StepSize
		if cfg.Progress != nil {
			if now := time.Now(); now.Sub(lastReport) >= interval {
				lastReport = now
				prog.Tuning = i+1 < cfg.Tune
				prog.GradEvals = s.NGrad
				prog.Elapsed = now.Sub(t0)
				report(prog)
			}
		}
	}
	now := time.Now()
	if sampling {
		ch.SamplingSeconds = now.Sub(tSample).Seconds()
	} else {
		ch.WarmupSeconds = now.Sub(t0).Seconds()
		ch.WarmupGradEvals = s.NGrad
	}
	prog.Tuning = prog.Done < cfg.Tune
	if a, ok := m.(Adaptive); ok {
		ch.StepSize = a.StepSize()
		ch.InvMetric = a.InvMetric()
		ch.InvMetricDense = a.InvMetricDense()
	}
	return desc
}
