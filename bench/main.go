// Command bench samples the benchmark suite of ../shared/bench with gopm and, beside it in the
// same run, with Stan (rstan, through bench/stan_live.R) when R's rstan is installed; without
// it, Stan's stored figures (bench/data/stan.json, another session) stand in, and the output
// says so. For each model: time from model definition to first draw; process CPU seconds of
// the sampling call (gopm's Sample, Stan's sampling(): warm-up, draws, building the output;
// chains one after another on one core for both); leapfrog steps of warm-up and draws (the
// gradients of the trajectories, counted alike for both); min bulk ESS over the parameters of
// the Stan program's parameters block; ESS per CPU second and per 1000 gradients; max R-hat;
// divergences; the wall time with two cores; and whether the posterior means agree with
// Stan's within Monte Carlo error. bench/README.md says exactly what is timed.
//
//	go run ./bench                     # the whole suite, Stan live if rstan is installed
//	go run ./bench -stan stored        # Stan's stored figures instead; -stan off: gopm alone
//	go run ./bench -models linreg,coal_marginal -json results.json
//	go run ./bench -backend gorgonia -models linreg  # sample on another backend
//	go run ./bench -gradtime vm,debug,gorgonia,gorgonia-ad  # CPU time per gradient, side by side
//	go run ./bench -samplecost -models stochvol      # Sample's CPU and memory beyond sampling
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopm-dev/gopm/pm"
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia" // selectable with -backend gorgonia
)

type stanParam struct {
	Mean     float64 `json:"mean"`
	SD       float64 `json:"sd"`
	MCSEMean float64 `json:"mcse_mean"`
	ESSBulk  float64 `json:"ess_bulk"`
	RHat     float64 `json:"rhat"`
}

// stanResult is Stan's figures for one model, from stan_live.R (live) or the stored file.
type stanResult struct {
	CompileS          float64              `json:"compile_s"`
	CompileCached     bool                 `json:"compile_cached"`
	CPUS              float64              `json:"cpu_s"`         // live: process CPU of sampling()
	ChainTotalS       float64              `json:"chain_total_s"` // get_elapsed_time() summed: clock() in Stan 2.21
	SamplingWallS     float64              `json:"sampling_wall_s"`
	GradEvalsWarmup   float64              `json:"grad_evals_warmup"`
	GradEvalsSampling float64              `json:"grad_evals_sampling"`
	GradEvalsTotal    float64              `json:"grad_evals_total"` // n_leapfrog__ over warm-up and draws
	MinESSBulk        float64              `json:"min_ess_bulk"`
	MaxRHat           float64              `json:"max_rhat"`
	Divergences       float64              `json:"divergences"`
	Params            map[string]stanParam `json:"params"`
	Error             string               `json:"error"`
}

// Result is one model's row.
type Result struct {
	Model          string  `json:"model"`
	FirstDrawMS    float64 `json:"first_draw_ms"`
	CPUS           float64 `json:"cpu_s"`      // process CPU of the Sample call
	LoopCPUS       float64 `json:"loop_cpu_s"` // process CPU from the call to the end of the last iteration
	WallS2Cores    float64 `json:"wall_s_2_cores"`
	Leapfrog       int64   `json:"leapfrog_steps"` // warm-up and draws, as Stan's n_leapfrog__
	GradEvals      int64   `json:"grad_evals"`     // every gradient, the starting point's and step-size searches' too
	MinESSBulk     float64 `json:"min_ess_bulk"`
	MinESSParam    string  `json:"min_ess_param"`
	ESSPerS        float64 `json:"ess_bulk_per_cpu_s"`
	ESSPer1000     float64 `json:"ess_bulk_per_1000_grads"`
	MaxRHat        float64 `json:"max_rhat"`
	Divergences    int     `json:"divergences"`
	MeansAgree     int     `json:"means_agree"`
	MeansCompared  int     `json:"means_compared"`
	MeanMismatches string  `json:"mean_mismatches,omitempty"`

	Stan           string  `json:"stan_program,omitempty"`
	StanMode       string  `json:"stan_mode"` // live, stored or off
	StanCPUS       float64 `json:"stan_cpu_s,omitempty"`
	StanChainS     float64 `json:"stan_chain_s,omitempty"`
	StanLeapfrog   float64 `json:"stan_leapfrog_steps,omitempty"`
	StanMinESS     float64 `json:"stan_min_ess_bulk,omitempty"`
	StanESSPerS    float64 `json:"stan_ess_bulk_per_cpu_s,omitempty"`
	StanESSPer1000 float64 `json:"stan_ess_bulk_per_1000_grads,omitempty"`
	StanCompileS   float64 `json:"stan_compile_s,omitempty"`
	StanDiv        float64 `json:"stan_divergences,omitempty"`
	StanError      string  `json:"stan_error,omitempty"` // why live Stan failed (StanMode says stored)
}

func main() {
	dir := flag.String("data", "", "data directory (default: bench/data beside this source)")
	models := flag.String("models", strings.Join(suite, ","), "comma-separated models")
	chains := flag.Int("chains", 4, "chains")
	draws := flag.Int("draws", 1000, "draws per chain")
	tune := flag.Int("tune", 1000, "warm-up iterations per chain")
	seed := flag.Uint64("seed", 4711, "seed")
	twoCores := flag.Bool("cores2", true, "also time the run with chains on 2 cores")
	jsonOut := flag.String("json", "", "write the results as JSON to this file")
	metric := flag.String("metric", "", "NUTS mass-matrix adaptation: lowrank (pm's default), diag (Stan's), grad or dense")
	targetAccept := flag.Float64("target-accept", 0, "NUTS's target acceptance (0: pm's default, 0.8 as Stan's)")
	be := flag.String("backend", "", "backend to sample on (default: PM_BACKEND, the config file, else vm)")
	gradTime := flag.String("gradtime", "", "instead of sampling, time a gradient on these comma-separated backends")
	vi := flag.Bool("vi", false, "time ADVI, full-rank ADVI and Pathfinder against NUTS (bench/vi.go) instead")
	bigN := flag.Int("vi-n", 100000, "with -vi: also a logistic regression with this many observations (0: none)")
	noWarm := flag.Bool("vi-nowarm", false, "with -vi: start ADVI at the initial point (pm.FitNoWarmStart)")
	viOpt := flag.String("vi-optimizer", "", "with -vi: ADVI's optimizer (adam or stan)")
	viTol := flag.Float64("vi-tol", 0, "with -vi: ADVI's relative ELBO tolerance (pm.FitTolerance)")
	viLR := flag.Float64("vi-lr", 0, "with -vi: ADVI's learning rate (pm.FitLearningRate)")
	initBench := flag.String("init", "", "comma-separated warm-up lengths: measure Init(\"pathfinder\") against the default start (bench/vi.go) instead")
	stanFlag := flag.String("stan", "auto", "Stan's figures: live (rstan in this run), stored (bench/data/stan.json), off, or auto (live if rstan is installed, else stored)")
	stanCache := flag.String("stan-cache", stanCacheDir(), "with -stan live: directory of compiled Stan models")
	sampleCostOnly := flag.Bool("samplecost", false, "instead, measure Sample's CPU time and peak memory beyond sampling (bench/samplecost.go)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	scalingKs := flag.String("scaling", "", "instead, measure build + compile CPU time of a model of k scalars for these comma-separated k, each in fresh processes (bench/scaling.go)")
	scalingModel := flag.String("scaling-model", "scalars", "with -scaling: comma-separated models, scalars (k scalar variables) or at (k At(i) observations)")
	scalingReps := flag.Int("scaling-reps", 5, "with -scaling: fresh processes per k")
	scalingChildK := flag.Int("scaling-child", 0, "internal: one -scaling measurement of this k, printed as JSON")
	memProfile := flag.String("memprofile", "", "write a heap profile (every allocation's bytes and call stack) at the end of the run to this file")
	flag.Parse()
	if *memProfile != "" {
		runtime.MemProfileRate = 4096
		defer func() {
			f, err := os.Create(*memProfile)
			if err != nil {
				fail(err)
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fail(err)
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *scalingChildK > 0 {
		if err := scalingChild(*scalingModel, *scalingChildK); err != nil {
			fail(err)
		}
		return
	}
	if *scalingKs != "" {
		ks, err := parseInts(*scalingKs)
		if err == nil {
			err = scaling(strings.Split(*scalingModel, ","), ks, *scalingReps)
		}
		if err != nil {
			fail(err)
		}
		return
	}
	if *dir == "" {
		*dir = findData()
	}
	if *sampleCostOnly {
		if err := sampleCost(*dir, strings.Split(*models, ","), *chains, *draws, *tune, *seed, *metric); err != nil {
			fail(err)
		}
		return
	}
	if *gradTime != "" {
		if err := gradTimes(*dir, strings.Split(*models, ","), strings.Split(*gradTime, ",")); err != nil {
			fail(err)
		}
		return
	}
	var stan struct {
		Models map[string]stanResult `json:"models"`
	}
	if err := load(*dir, "stan", &stan); err != nil {
		fail(err)
	}
	if err := load(*dir, "stan_loops", &stan); err != nil { // adds the models of loopSuite
		fail(err)
	}
	var glm stanResult
	if err := load(*dir, "stan_logistic_big_glm", &glm); err != nil {
		fail(err)
	}
	if *vi {
		var fitOpts []pm.FitOption
		if *noWarm {
			fitOpts = append(fitOpts, pm.FitNoWarmStart())
		}
		if *viLR > 0 {
			fitOpts = append(fitOpts, pm.FitLearningRate(*viLR))
		}
		if *viTol > 0 {
			fitOpts = append(fitOpts, pm.FitTolerance(*viTol))
		}
		if *viOpt != "" {
			fitOpts = append(fitOpts, pm.FitOptimizer(*viOpt))
		}
		runVI(*dir, strings.Split(*models, ","), *seed, stan.Models, *bigN, fitOpts)
		return
	}
	if *initBench != "" {
		var tunes []int
		for _, t := range strings.Split(*initBench, ",") {
			n, err := strconv.Atoi(t)
			if err != nil {
				fail(err)
			}
			tunes = append(tunes, n)
		}
		runInit(*dir, strings.Split(*models, ","), *seed, tunes)
		return
	}
	mode := stanMode(*stanFlag)
	note := ""
	switch mode {
	case stanLive, stanStored, stanOff:
	case "auto":
		mode = stanLive
		if why := rstanMissing(); why != "" {
			mode = stanStored
			note = why + ": "
		}
	default:
		fail(fmt.Errorf("bench: -stan %q: use live, stored, off or auto", *stanFlag))
	}
	switch mode {
	case stanLive:
		note += "Stan: rstan, sampled in this run beside gopm, one model after the other (bench/stan_live.R)."
	case stanStored:
		note += "Stan: STORED figures (bench/data/stan.json, rstan 2.21 in another session), not measured in this run; Stan's CPU seconds there are get_elapsed_time(), its chains' loops only."
	case stanOff:
		note += "Stan: not run (-stan off)."
	}
	fmt.Fprintln(os.Stderr, note)
	stanRun := stanRunner{script: filepath.Join(benchDir(*dir), "stan_live.R"), cache: *stanCache,
		chains: *chains, warmup: *tune, draws: *draws, seed: int(*seed)}
	var results []Result
	var stanFailures []string
	for _, name := range strings.Split(*models, ",") {
		opts := []pm.SampleOption{pm.SampleBackend(*be)} // "" selects the default backend
		if *metric != "" {
			opts = append(opts, pm.Metric(*metric))
		}
		if *targetAccept != 0 {
			opts = append(opts, pm.TargetAccept(*targetAccept))
		}
		r, tr, err := run(*dir, name, *chains, *draws, *tune, *seed, *twoCores, opts)
		if err != nil {
			fail(err)
		}
		r.StanMode = string(mode)
		if mode != stanOff {
			r.Stan = stanProgram(name)
			ref, how, err := stanFigures(stanRun.run, mode == stanLive, r.Stan, stan.Models, glm)
			if err != nil {
				fail(err)
			}
			if how.liveErr != nil {
				// One model's Stan failure does not end the run: its row falls back to the
				// stored figures, says so, and the run exits non-zero at the end.
				fmt.Fprintf(os.Stderr, "bench: %s: Stan failed, using its stored figures: %v\n", name, how.liveErr)
				r.StanMode, r.StanError = "stored (live failed)", how.liveErr.Error()
				stanFailures = append(stanFailures, name)
			}
			if err := compareStan(&r, tr, ref); err != nil {
				fail(err)
			}
		}
		results = append(results, r)
		fmt.Fprintf(os.Stderr, "%s done: gopm %.2f CPU s, min ESS %.0f; Stan (%s) %.2f CPU s, min ESS %.0f\n",
			name, r.CPUS, r.MinESSBulk, mode, r.StanCPUS, r.StanMinESS)
	}
	fmt.Println(note)
	fmt.Println()
	printTable(os.Stdout, results, mode)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fail(err)
		}
	}
	if len(stanFailures) > 0 {
		fail(fmt.Errorf("bench: live Stan failed on %s; those rows (marked) compare with the stored figures",
			strings.Join(stanFailures, ", ")))
	}
}

// stanSource says where stanFigures took Stan's figures from.
type stanSource struct {
	liveErr error // non-nil: live Stan failed with this error and the stored figures were used
}

// stanFigures returns Stan's figures for program: from run when live, else (or when run fails)
// the stored ones. An error means neither was available.
func stanFigures(run func(string) (stanResult, error), live bool, program string, models map[string]stanResult, glm stanResult) (stanResult, stanSource, error) {
	var src stanSource
	if live {
		ref, err := run(program)
		if err == nil {
			return ref, src, nil
		}
		src.liveErr = err
	}
	ref, ok := stored(models, glm, program)
	if !ok {
		if src.liveErr != nil {
			return ref, src, fmt.Errorf("bench: Stan failed on %q (%v) and no stored results exist for it", program, src.liveErr)
		}
		return ref, src, fmt.Errorf("bench: no stored Stan results for %q", program)
	}
	ref.CPUS = ref.ChainTotalS // the only CPU figure stored
	return ref, src, nil
}

// stored is a program's stored Stan figures.
func stored(models map[string]stanResult, glm stanResult, program string) (stanResult, bool) {
	if program == "logistic_big_glm" {
		return glm, true
	}
	r, ok := models[program]
	return r, ok
}

func findData() string {
	for _, d := range []string{"bench/data", "data", "../bench/data"} {
		if _, err := os.Stat(filepath.Join(d, "stan.json")); err == nil {
			return d
		}
	}
	return "bench/data"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// run samples one model with gopm: chains one after another on one core (as Stan runs them),
// timing the process CPU of the Sample call; then, with twoCores, the wall time of building and
// sampling the model again with chains on two cores. The trace is the first run's.
func run(dir, name string, chains, draws, tune int, seed uint64, twoCores bool, opts []pm.SampleOption) (Result, *pm.Trace, error) {
	r := Result{Model: name}
	runtime.GC()
	start := time.Now()
	var once sync.Once
	m, err := build(dir, name)
	if err != nil {
		return r, nil, err
	}
	last := tune + draws - 1
	var loopEnd time.Duration
	cpu0 := threadCPU()
	tr, err := m.Sample(append([]pm.SampleOption{pm.Chains(chains), pm.Draws(draws), pm.Tune(tune), pm.Seed(seed), pm.Cores(1),
		pm.OnDraw(func(chain, iter int, x []float64) {
			once.Do(func() { r.FirstDrawMS = float64(time.Since(start).Microseconds()) / 1000 })
			if iter == last {
				loopEnd = threadCPU() // chains run in order: the last chain's is the end
			}
		})}, opts...)...)
	r.CPUS = (threadCPU() - cpu0).Seconds()
	if err != nil {
		return r, nil, err
	}
	r.LoopCPUS = (loopEnd - cpu0).Seconds()
	for c := range tr.GradEvals {
		r.GradEvals += tr.GradEvals[c]
		r.Leapfrog += tr.LeapfrogSteps[c]
	}
	r.Divergences = tr.Divergences()
	var params []string
	for _, p := range stanParams[stanProgram(name)] {
		if tr.Var(p) != nil {
			params = append(params, p)
		}
	}
	if len(params) == 0 {
		return r, nil, fmt.Errorf("bench: %s: the trace has none of the Stan program's parameters %v", name, stanParams[stanProgram(name)])
	}
	sum, err := pm.Summary(tr, params)
	if err != nil {
		return r, nil, err
	}
	r.MinESSBulk = math.Inf(1)
	for _, row := range sum.Rows() {
		if row.ESSBulk < r.MinESSBulk {
			r.MinESSBulk, r.MinESSParam = row.ESSBulk, row.Name
		}
		r.MaxRHat = math.Max(r.MaxRHat, row.RHat)
	}
	r.ESSPerS = r.MinESSBulk / r.CPUS
	r.ESSPer1000 = 1000 * r.MinESSBulk / float64(r.Leapfrog)
	if twoCores {
		runtime.GC()
		t0 := time.Now()
		m2, err := build(dir, name)
		if err != nil {
			return r, nil, err
		}
		if _, err := m2.Sample(append([]pm.SampleOption{pm.Chains(chains), pm.Draws(draws), pm.Tune(tune), pm.Seed(seed), pm.Cores(2)}, opts...)...); err != nil {
			return r, nil, err
		}
		r.WallS2Cores = time.Since(t0).Seconds()
	}
	return r, tr, nil
}

// compareStan fills r's Stan columns from ref and counts the posterior means that agree with
// Stan's within 4 combined Monte Carlo standard errors, over the parameters, transformed
// parameters and deterministics that both report.
func compareStan(r *Result, tr *pm.Trace, ref stanResult) error {
	r.StanCPUS, r.StanChainS, r.StanLeapfrog, r.StanMinESS = ref.CPUS, ref.ChainTotalS, ref.GradEvalsTotal, ref.MinESSBulk
	r.StanCompileS, r.StanDiv = ref.CompileS, ref.Divergences
	r.StanESSPerS = ref.MinESSBulk / ref.CPUS
	r.StanESSPer1000 = 1000 * ref.MinESSBulk / ref.GradEvalsTotal
	sum, err := pm.Summary(tr)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ref.Params))
	for p := range ref.Params {
		names = append(names, p)
	}
	sort.Strings(names)
	var bad []string
	for _, p := range names {
		sp := ref.Params[p]
		ours := pm.FromStanName(p)
		mean, err := sum.Get(ours, "mean")
		if p == "lp__" || err != nil {
			continue // Stan's log density, or a quantity gopm's model does not name
		}
		mcse, _ := sum.Get(ours, "mcse_mean")
		r.MeansCompared++
		if math.Abs(mean-sp.Mean) <= 4*math.Hypot(mcse, sp.MCSEMean) {
			r.MeansAgree++
		} else {
			bad = append(bad, fmt.Sprintf("%s %.4g vs %.4g", ours, mean, sp.Mean))
		}
	}
	r.MeanMismatches = strings.Join(bad, "; ")
	return nil
}

// printTable prints the rows as a Markdown table; without Stan (mode off), only gopm's columns.
func printTable(w io.Writer, rs []Result, mode stanMode) {
	if mode == stanOff {
		fmt.Fprintln(w, "| model | first draw | CPU s | leapfrog steps | min ESS bulk | ESS per CPU s | ESS per 1000 grads | max R-hat | div | wall s, 2 cores |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
		for _, r := range rs {
			fmt.Fprintf(w, "| %s | %.0f ms | %.2f | %d | %.0f | %.0f | %.1f | %.3f | %d | %s |\n", r.Model, r.FirstDrawMS, r.CPUS, r.Leapfrog,
				r.MinESSBulk, r.ESSPerS, r.ESSPer1000, r.MaxRHat, r.Divergences, wall(r))
		}
		return
	}
	fmt.Fprintln(w, "| model | first draw (Stan compile) | CPU s (gopm / Stan) | leapfrog steps (gopm / Stan) | min ESS bulk (gopm / Stan) | ESS per CPU s (gopm / Stan = ratio) | ESS per 1000 grads (gopm / Stan = ratio) | max R-hat | div (gopm / Stan) | wall s, 2 cores | means agree |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		compile := fmt.Sprintf("%.0f s", r.StanCompileS)
		if mode == stanLive && r.StanCompileS == 0 {
			compile = "cached"
		}
		if r.StanError != "" {
			compile = "live failed: stored figures"
		}
		fmt.Fprintf(w, "| %s | %.0f ms (%s) | %.2f / %.2f | %d / %.0f | %.0f / %.0f | %.0f / %.0f = %.2fx | %.1f / %.1f = %.2fx | %.3f | %d / %.0f | %s | %d/%d |\n",
			r.Model, r.FirstDrawMS, compile, r.CPUS, r.StanCPUS, r.Leapfrog, r.StanLeapfrog,
			r.MinESSBulk, r.StanMinESS, r.ESSPerS, r.StanESSPerS, r.ESSPerS/r.StanESSPerS,
			r.ESSPer1000, r.StanESSPer1000, r.ESSPer1000/r.StanESSPer1000, r.MaxRHat, r.Divergences, r.StanDiv, wall(r),
			r.MeansAgree, r.MeansCompared)
		if r.MeanMismatches != "" {
			fmt.Fprintf(w, "|   ↳ means outside 4 MCSE: %s |||||||||||\n", r.MeanMismatches)
		}
	}
}

// wall is the two-core wall time, "–" when not measured.
func wall(r Result) string {
	if r.WallS2Cores == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", r.WallS2Cores)
}
