package main

// The variational benchmark (-vi): time to an approximation (mean-field ADVI, full-rank ADVI,
// Pathfinder) against NUTS on the same model, in process CPU seconds measured side by side in
// one run, with the gradient evaluations each used and how far the approximation's means are
// from NUTS's and Stan's in posterior sds; and (-init) the warm-up that Init("pathfinder")
// saves.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// refMoments are reference means and sds by gopm component name ("beta[0]").
type refMoments map[string][2]float64

// stanMoments converts Stan's parameter summaries (1-based names) to refMoments.
func stanMoments(ps map[string]stanParam) refMoments {
	out := refMoments{}
	for p, sp := range ps {
		if p == "lp__" {
			continue
		}
		out[pm.FromStanName(p)] = [2]float64{sp.Mean, sp.SD}
	}
	return out
}

// traceMoments are a trace's means and sds by component name.
func traceMoments(tr *pm.Trace) refMoments {
	out := refMoments{}
	for _, v := range tr.Vars {
		for i, n := range v.ComponentNames() {
			x := tr.ValuesAt(v.Name, i)
			m, s := meanSD(x)
			out[n] = [2]float64{m, s}
		}
	}
	return out
}

func meanSD(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)-1))
}

// accuracy compares an approximation's draws with reference moments: the largest
// |mean − reference mean| / reference sd and where, and the range of sd / reference sd.
type accuracy struct {
	MaxMeanErr         float64
	Worst              string
	MinSDRatio, MaxSDR float64
	Compared           int
}

func (a accuracy) String() string {
	return fmt.Sprintf("max |Δmean|/sd %.3f (%s), sd ratio %.2f–%.2f over %d", a.MaxMeanErr, a.Worst, a.MinSDRatio, a.MaxSDR, a.Compared)
}

func compare(tr *pm.Trace, ref refMoments) accuracy {
	got := traceMoments(tr)
	acc := accuracy{MinSDRatio: math.Inf(1)}
	names := make([]string, 0, len(ref))
	for n := range ref {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := ref[n]
		g, ok := got[n]
		if !ok || !(r[1] > 0) {
			continue
		}
		acc.Compared++
		if e := math.Abs(g[0]-r[0]) / r[1]; e > acc.MaxMeanErr || math.IsNaN(e) {
			acc.MaxMeanErr, acc.Worst = e, n
		}
		ratio := g[1] / r[1]
		acc.MinSDRatio = math.Min(acc.MinSDRatio, ratio)
		acc.MaxSDR = math.Max(acc.MaxSDR, ratio)
	}
	return acc
}

// logisticN builds a logistic regression with n observations and 10 predictors from a fixed
// seed (intercept −0.5, coefficients −1 … 1, standard-normal predictors).
func logisticN(n int) *pm.Model {
	const d = 10
	r := rand.New(rand.NewPCG(2026, 15))
	x := make([][]float64, n)
	y := make([]float64, n)
	beta := make([]float64, d)
	for j := range beta {
		beta[j] = -1 + 2*float64(j)/float64(d-1)
	}
	for i := range x {
		row := make([]float64, d)
		eta := -0.5
		for j := range row {
			row[j] = r.NormFloat64()
			eta += beta[j] * row[j]
		}
		x[i] = row
		if r.Float64() < 1/(1+math.Exp(-eta)) {
			y[i] = 1
		}
	}
	m := pm.NewModel()
	alpha := m.Var("alpha", pm.Normal(0, 2))
	b := m.Var("beta", pm.Normal(0, 1), pm.Shape(d))
	m.Observe("y", pm.BernoulliLogit(tensor.Add(alpha, tensor.Dot(x, b))), y)
	return m
}

// fitMethods are the approximations the benchmark times.
var fitMethods = []struct {
	name string
	m    func() pm.FitMethod
}{
	{"ADVI mean-field", pm.ADVI},
	{"ADVI full-rank", pm.FullRankADVI},
	{"Pathfinder", pm.Pathfinder},
}

// runVI times NUTS and the three approximations on each model, side by side in one process.
func runVI(dir string, models []string, seed uint64, stan map[string]stanResult, bigN int, fitOpts []pm.FitOption) {
	fmt.Printf("Variational approximations against NUTS (4 chains x 1000+1000, one core), process CPU seconds measured side by side in one run.\n")
	fmt.Printf("Errors are |mean - reference| / reference sd over every parameter; sd ratio is approximation sd / reference sd.\n\n")
	fmt.Printf("%-26s %-16s %8s %9s %9s %7s  %-44s %s\n", "model", "method", "cpu s", "vs NUTS", "grads", "k", "vs NUTS draws", "vs Stan")
	names := append([]string(nil), models...)
	if bigN > 0 {
		names = append(names, fmt.Sprintf("logistic_N%d", bigN))
	}
	for _, name := range names {
		var m *pm.Model
		var err error
		if strings.HasPrefix(name, "logistic_N") {
			m = logisticN(bigN)
		} else if m, err = build(dir, name); err != nil {
			fail(err)
		}
		var stanRef refMoments
		if s, ok := stan[name]; ok {
			stanRef = stanMoments(s.Params)
		}
		c0 := cpuSeconds()
		tr, err := m.Sample(pm.Seed(seed), pm.Cores(1))
		if err != nil {
			fail(err)
		}
		nutsCPU := cpuSeconds() - c0
		var nutsGrads int64
		for _, g := range tr.GradEvals {
			nutsGrads += g
		}
		nutsRef := traceMoments(tr)
		stanCol := "-"
		if stanRef != nil {
			stanCol = compare(tr, stanRef).String()
		}
		fmt.Printf("%-26s %-16s %8.2f %9s %9d %7s  %-44s %s\n", name, "NUTS", nutsCPU, "1", nutsGrads, "-", "-", stanCol)
		for _, fm := range fitMethods {
			c0 := cpuSeconds()
			a, err := m.Fit(fm.m(), append([]pm.FitOption{pm.FitSeed(seed)}, fitOpts...)...)
			cpu := cpuSeconds() - c0
			if err != nil {
				fmt.Printf("%-26s %-16s error: %v\n", name, fm.name, err)
				continue
			}
			k := "-"
			if !math.IsNaN(a.ParetoK) {
				k = fmt.Sprintf("%.2f", a.ParetoK)
			}
			stanCol := "-"
			if stanRef != nil {
				stanCol = compare(a.Trace, stanRef).String()
			}
			conv := ""
			if !a.Converged {
				conv = " (not converged)"
			}
			fmt.Printf("%-26s %-16s %8.2f %9.3f %9d %7s  %-44s %s%s\n", name, fm.name, cpu, cpu/nutsCPU, a.GradEvals, k,
				compare(a.Trace, nutsRef).String(), stanCol, conv)
		}
	}
}

// runInit measures the warm-up Init("pathfinder") saves: NUTS with the default start (jitter
// around the initial point, unit metric) against NUTS started from Pathfinder's draws with its
// variances as the initial metric, with the default warm-up and with shorter ones, comparing
// warm-up gradients (Pathfinder's included) and the bulk ESS reached.
func runInit(dir string, models []string, seed uint64, tunes []int) {
	fmt.Printf("Warm-up with Init(\"pathfinder\") against the default start, 4 chains x 1000 draws, one core.\n")
	fmt.Printf("warm-up grads = NUTS warm-up gradients + the initialization's; min ESS = smallest bulk ESS over the parameters.\n\n")
	fmt.Printf("%-26s %-22s %6s %12s %12s %9s %7s %8s\n", "model", "start", "tune", "warmup grads", "sample grads", "min ESS", "div", "cpu s")
	for _, name := range models {
		m, err := build(dir, name)
		if err != nil {
			fail(err)
		}
		type cfg struct {
			label string
			tune  int
			opts  []pm.SampleOption
		}
		cfgs := []cfg{{"default", 1000, nil}}
		for _, t := range tunes {
			cfgs = append(cfgs, cfg{"Init(pathfinder)", t, []pm.SampleOption{pm.Init("pathfinder")}})
		}
		for _, t := range tunes {
			if t != 1000 {
				cfgs = append(cfgs, cfg{"default", t, nil})
			}
		}
		for _, c := range cfgs {
			c0 := cpuSeconds()
			tr, err := m.Sample(append([]pm.SampleOption{pm.Seed(seed), pm.Cores(1), pm.Tune(c.tune)}, c.opts...)...)
			cpu := cpuSeconds() - c0
			if err != nil {
				fmt.Printf("%-26s %-22s error: %v\n", name, c.label, err)
				continue
			}
			var wg, all int64
			for i := range tr.GradEvals {
				wg += tr.WarmupGradEvals[i]
				all += tr.GradEvals[i]
			}
			sum, err := pm.Summary(tr)
			if err != nil {
				fail(err)
			}
			minESS := math.Inf(1)
			for _, row := range sum.Names() {
				if v, err := sum.Get(row, "ess_bulk"); err == nil && v < minESS {
					minESS = v
				}
			}
			fmt.Printf("%-26s %-22s %6d %12d %12d %9.0f %7d %8.2f\n", name, c.label, c.tune, wg+tr.InitGradEvals, all-wg, minESS, tr.Divergences(), cpu)
		}
	}
	fmt.Fprintln(os.Stderr, "init benchmark done")
}
