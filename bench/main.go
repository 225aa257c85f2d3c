// Command bench samples the benchmark suite of ../shared/bench with gopm and prints gopm's
// figures beside Stan's (bench/data/stan.json, measured with rstan 2.21 on this kind of
// machine): time from model definition to first draw, sampling seconds (warm-up plus draws,
// summed over chains, chains one after another on one core as Stan's were), gradient
// evaluations, min bulk ESS over the parameters Stan reports, ESS per second and per 1000
// gradients, max R-hat, divergences; then the wall time with two cores; and whether the
// posterior means agree with Stan's within Monte Carlo error.
//
//	go run ./bench                     # the whole suite
//	go run ./bench -models linreg,coal_marginal -json results.json
//	go run ./bench -backend gorgonia -models linreg  # sample on another backend
//	go run ./bench -gradtime vm,debug,gorgonia,gorgonia-ad  # CPU time per gradient, side by side
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
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

type stanResult struct {
	CompileS       float64              `json:"compile_s"`
	ChainTotalS    float64              `json:"chain_total_s"`
	SamplingWallS  float64              `json:"sampling_wall_s"`
	GradEvalsTotal float64              `json:"grad_evals_total"`
	MinESSBulk     float64              `json:"min_ess_bulk"`
	ESSPerS        float64              `json:"ess_bulk_per_s"`
	ESSPer1000     float64              `json:"ess_bulk_per_1000_grads"`
	MaxRHat        float64              `json:"max_rhat"`
	Divergences    float64              `json:"divergences"`
	Params         map[string]stanParam `json:"params"`
}

// Result is one model's row.
type Result struct {
	Model          string  `json:"model"`
	FirstDrawMS    float64 `json:"first_draw_ms"`
	SamplingS      float64 `json:"sampling_s"`
	WallS2Cores    float64 `json:"wall_s_2_cores"`
	GradEvals      int64   `json:"grad_evals"`
	MinESSBulk     float64 `json:"min_ess_bulk"`
	MinESSParam    string  `json:"min_ess_param"`
	ESSPerS        float64 `json:"ess_bulk_per_s"`
	ESSPer1000     float64 `json:"ess_bulk_per_1000_grads"`
	MaxRHat        float64 `json:"max_rhat"`
	Divergences    int     `json:"divergences"`
	MeansAgree     int     `json:"means_agree"`
	MeansCompared  int     `json:"means_compared"`
	MeanMismatches string  `json:"mean_mismatches,omitempty"`
	Stan           string  `json:"stan_reference"`
	StanESSPerS    float64 `json:"stan_ess_bulk_per_s"`
	StanESSPer1000 float64 `json:"stan_ess_bulk_per_1000_grads"`
	StanSamplingS  float64 `json:"stan_sampling_s"`
	StanGradEvals  float64 `json:"stan_grad_evals"`
	StanMinESS     float64 `json:"stan_min_ess_bulk"`
	StanCompileS   float64 `json:"stan_compile_s"`
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
	metric := flag.String("metric", "", "NUTS mass-matrix adaptation: diag (Stan's; pm's default), grad or dense")
	be := flag.String("backend", "", "backend to sample on (default: PM_BACKEND, the config file, else vm)")
	gradTime := flag.String("gradtime", "", "instead of sampling, time a gradient on these comma-separated backends")
	vi := flag.Bool("vi", false, "time ADVI, full-rank ADVI and Pathfinder against NUTS (bench/vi.go) instead")
	bigN := flag.Int("vi-n", 100000, "with -vi: also a logistic regression with this many observations (0: none)")
	noWarm := flag.Bool("vi-nowarm", false, "with -vi: start ADVI at the initial point (pm.FitNoWarmStart)")
	viOpt := flag.String("vi-optimizer", "", "with -vi: ADVI's optimizer (adam or stan)")
	viTol := flag.Float64("vi-tol", 0, "with -vi: ADVI's relative ELBO tolerance (pm.FitTolerance)")
	viLR := flag.Float64("vi-lr", 0, "with -vi: ADVI's learning rate (pm.FitLearningRate)")
	initBench := flag.String("init", "", "comma-separated warm-up lengths: measure Init(\"pathfinder\") against the default start (bench/vi.go) instead")
	flag.Parse()
	if *dir == "" {
		*dir = findData()
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
	var results []Result
	for _, name := range strings.Split(*models, ",") {
		ref, ok := stan.Models[name]
		refName := name
		if name == "logistic_big" {
			// Stan's fastest form of the same posterior: the fused GLM likelihood.
			ref, refName = glm, "logistic_big_glm"
		}
		if !ok {
			fail(fmt.Errorf("bench: no Stan results for %q", name))
		}
		opts := []pm.SampleOption{pm.SampleBackend(*be)} // "" selects the default backend
		if *metric != "" {
			opts = append(opts, pm.Metric(*metric))
		}
		r, err := run(*dir, name, ref, *chains, *draws, *tune, *seed, *twoCores, opts)
		if err != nil {
			fail(err)
		}
		r.Stan = refName
		results = append(results, r)
		fmt.Fprintf(os.Stderr, "%s done: %.2fs sampling, min ESS %.0f\n", name, r.SamplingS, r.MinESSBulk)
	}
	printTable(results)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fail(err)
		}
	}
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

func run(dir, name string, ref stanResult, chains, draws, tune int, seed uint64, twoCores bool, opts []pm.SampleOption) (Result, error) {
	r := Result{Model: name, StanESSPerS: ref.ESSPerS, StanESSPer1000: ref.ESSPer1000, StanSamplingS: ref.ChainTotalS,
		StanGradEvals: ref.GradEvalsTotal, StanMinESS: ref.MinESSBulk, StanCompileS: ref.CompileS}
	// One core, chains one after another, as Stan was measured.
	runtime.GC()
	start := time.Now()
	var once sync.Once
	m, err := build(dir, name)
	if err != nil {
		return r, err
	}
	tr, err := m.Sample(append([]pm.SampleOption{pm.Chains(chains), pm.Draws(draws), pm.Tune(tune), pm.Seed(seed), pm.Cores(1),
		pm.OnDraw(func(chain, iter int, x []float64) {
			once.Do(func() { r.FirstDrawMS = float64(time.Since(start).Microseconds()) / 1000 })
		})}, opts...)...)
	if err != nil {
		return r, err
	}
	for c := range tr.GradEvals {
		r.GradEvals += tr.GradEvals[c]
		r.SamplingS += tr.WarmupSeconds[c] + tr.SamplingSeconds[c]
	}
	r.Divergences = tr.Divergences()
	sum, err := pm.Summary(tr)
	if err != nil {
		return r, err
	}
	r.MinESSBulk = math.Inf(1)
	var bad []string
	for p, sp := range ref.Params {
		if p == "lp__" {
			continue
		}
		ours := pm.FromStanName(p)
		ess, err := sum.Get(ours, "ess_bulk")
		if err != nil {
			return r, fmt.Errorf("bench: %s: %v", name, err)
		}
		if ess < r.MinESSBulk {
			r.MinESSBulk, r.MinESSParam = ess, ours
		}
		rh, _ := sum.Get(ours, "r_hat")
		r.MaxRHat = math.Max(r.MaxRHat, rh)
		mean, _ := sum.Get(ours, "mean")
		mcse, _ := sum.Get(ours, "mcse_mean")
		r.MeansCompared++
		if math.Abs(mean-sp.Mean) <= 4*math.Hypot(mcse, sp.MCSEMean) {
			r.MeansAgree++
		} else {
			bad = append(bad, fmt.Sprintf("%s %.4g vs %.4g", ours, mean, sp.Mean))
		}
	}
	r.MeanMismatches = strings.Join(bad, "; ")
	r.ESSPerS = r.MinESSBulk / r.SamplingS
	r.ESSPer1000 = 1000 * r.MinESSBulk / float64(r.GradEvals)
	if twoCores {
		runtime.GC()
		t0 := time.Now()
		m2, err := build(dir, name)
		if err != nil {
			return r, err
		}
		if _, err := m2.Sample(append([]pm.SampleOption{pm.Chains(chains), pm.Draws(draws), pm.Tune(tune), pm.Seed(seed), pm.Cores(2)}, opts...)...); err != nil {
			return r, err
		}
		r.WallS2Cores = time.Since(t0).Seconds()
	}
	return r, nil
}

func printTable(rs []Result) {
	fmt.Println("| model | first draw | sampling s (gopm / Stan) | grad evals (gopm / Stan) | min ESS bulk (gopm / Stan) | ESS/s (gopm / Stan = ratio) | ESS/1000 grads (gopm / Stan = ratio) | max R-hat | div | wall s, 2 cores | means agree |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Printf("| %s | %.0f ms (Stan compile %.0f s) | %.2f / %.2f | %d / %.0f | %.0f / %.0f | %.0f / %.0f = %.2fx | %.1f / %.1f = %.2fx | %.3f | %d | %.2f | %d/%d |\n",
			r.Model, r.FirstDrawMS, r.StanCompileS, r.SamplingS, r.StanSamplingS, r.GradEvals, r.StanGradEvals,
			r.MinESSBulk, r.StanMinESS, r.ESSPerS, r.StanESSPerS, r.ESSPerS/r.StanESSPerS,
			r.ESSPer1000, r.StanESSPer1000, r.ESSPer1000/r.StanESSPer1000, r.MaxRHat, r.Divergences, r.WallS2Cores,
			r.MeansAgree, r.MeansCompared)
		if r.MeanMismatches != "" {
			fmt.Printf("|   ↳ means outside 4 MCSE: %s |||||||||||\n", r.MeanMismatches)
		}
	}
}
