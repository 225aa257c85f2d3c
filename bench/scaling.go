package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/gopm-dev/gopm/pm"
	"golang.org/x/sys/unix"
)

// The -scaling measurement: how the CPU time of building and compiling a model written one
// scalar at a time grows with the number of variables k. Each run is a fresh process (this
// program started again with -scaling-child), so that every k starts alike: with an empty heap
// that the run must grow (page faults, counted as system time) and no compiled code or
// runtime state left by a smaller model. In that process the model is then built and compiled
// a second time, on the heap the first left: the "warm" figure, what a second model of that
// size costs in a running session (and what `go test -bench` reports when it loops). Before
// either, the process builds and compiles a model of 10 variables, untimed, so that its
// one-time start-up costs are in neither figure.

// scalingModels are the models -scaling measures, by name.
var scalingModels = map[string]func(k int) *pm.Model{
	// k scalar variables x0 … x{k-1} ~ Normal(0, 1), pm/scale_bench_test.go's scalarsModel.
	"scalars": func(k int) *pm.Model {
		m := pm.NewModel()
		for i := 0; i < k; i++ {
			m.Var(fmt.Sprint("x", i), pm.Normal(0, 1))
		}
		return m
	},
	// One vector v of length k ~ Normal(0, 1) and k observations of one element each,
	// y_i ~ Normal(v[i], 1): pm/scale_bench_test.go's atModel.
	"at": func(k int) *pm.Model {
		m := pm.NewModel()
		v := m.Var("v", pm.Normal(0, 1), pm.Shape(k))
		for i := 0; i < k; i++ {
			m.Observe(fmt.Sprint("y", i), pm.Normal(v.At(i), 1), math.Sin(float64(i)))
		}
		return m
	},
}

// scalingModel is the model builder of that name.
func scalingModel(name string) (func(k int) *pm.Model, error) {
	if build, ok := scalingModels[name]; ok {
		return build, nil
	}
	return nil, fmt.Errorf("bench: -scaling-model %q: not one of scalars, at", name)
}

// scalingRun is one child process's figures, in CPU seconds (user + system) and kB.
type scalingRun struct {
	ColdUser, ColdSys float64 // the first build and compile of the process
	Warm              float64 // the second, on the heap the first left
	MaxRSSkB          int64
}

// rusageSeconds is the process's user and system CPU seconds.
func rusageSeconds() (user, sys float64) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return math.NaN(), math.NaN()
	}
	return float64(ru.Utime.Nano()) / 1e9, float64(ru.Stime.Nano()) / 1e9
}

// scalingChild builds and compiles model name of size k twice and prints a scalingRun as JSON.
func scalingChild(name string, k int) error {
	build, err := scalingModel(name)
	if err != nil {
		return err
	}
	once := func() error {
		_, err := build(k).Compile()
		return err
	}
	// A model of 10 variables first, untimed: the one-time costs of a process's first model
	// (its code paged in, tables initialised) are not the growth measured.
	if _, err := build(10).Compile(); err != nil {
		return err
	}
	u0, s0 := rusageSeconds()
	if err := once(); err != nil {
		return err
	}
	u1, s1 := rusageSeconds()
	if err := once(); err != nil {
		return err
	}
	u2, s2 := rusageSeconds()
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(scalingRun{ColdUser: u1 - u0, ColdSys: s1 - s0, Warm: (u2 - u1) + (s2 - s1), MaxRSSkB: ru.Maxrss})
}

// scaling runs reps fresh processes for each k and model and prints, per model, the median
// cold and warm CPU seconds of build plus compile, and their growth from the smallest k
// against k·log k's.
func scaling(models []string, ks []int, reps int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for _, name := range models {
		if _, err := scalingModel(name); err != nil {
			return err
		}
	}
	sort.Ints(ks)
	fmt.Printf("Build + compile CPU seconds (user + system), median of %d fresh processes per row; growth is from k = %d.\n\n", reps, ks[0])
	for _, name := range models {
		fmt.Printf("Model %q:\n\n", name)
		fmt.Println("| k | cold CPU s (system s) | warm CPU s | cold growth | warm growth | k·log k allows | peak RSS MB |")
		fmt.Println("|---|---|---|---|---|---|---|")
		var cold0, warm0 float64
		for i, k := range ks {
			var cold, sys, warm, rss []float64
			for r := 0; r < reps; r++ {
				out, err := exec.Command(exe, "-scaling-child", strconv.Itoa(k), "-scaling-model", name).Output()
				if err != nil {
					return fmt.Errorf("bench: -scaling child k=%d: %v", k, err)
				}
				var run scalingRun
				if err := json.Unmarshal(out, &run); err != nil {
					return fmt.Errorf("bench: -scaling child k=%d printed %q: %v", k, out, err)
				}
				cold = append(cold, run.ColdUser+run.ColdSys)
				sys = append(sys, run.ColdSys)
				warm = append(warm, run.Warm)
				rss = append(rss, float64(run.MaxRSSkB)/1024)
			}
			c, w := median(cold), median(warm)
			if i == 0 {
				cold0, warm0 = c, w
			}
			allow := float64(k) * math.Log(float64(k)) / (float64(ks[0]) * math.Log(float64(ks[0])))
			fmt.Printf("| %d | %.4f (%.4f) | %.4f | %.1f× | %.1f× | %.1f× | %.0f |\n", k, c, median(sys), w, c/cold0, w/warm0, allow, median(rss))
		}
		fmt.Println()
	}
	return nil
}

// parseInts parses a comma-separated list of positive integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("bench: %q is not an integer of at least 2", f)
		}
		out = append(out, n)
	}
	return out, nil
}
