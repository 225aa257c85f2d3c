package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gopm-dev/gopm/pm"
)

// threadCPU is the CPU time the process has used, every thread included (an engine may run
// work on other goroutines).
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// gradTimes prints, for each model, the CPU time of one log-density-and-gradient evaluation on
// each backend (process CPU time). The backends take turns in rounds of about 40 ms each,
// so that a machine shared with other work loads them alike; the figure is the median round.
func gradTimes(dir string, models, backends []string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const rounds = 7
	fmt.Printf("| model | %s |\n", strings.Join(backends, " | "))
	fmt.Printf("|---|%s\n", strings.Repeat("---|", len(backends)))
	for _, name := range models {
		m, err := build(dir, name)
		if err != nil {
			return err
		}
		lds := make([]*pm.LogDensity, len(backends))
		for i, be := range backends {
			if lds[i], err = m.Compile(pm.Backend(be)); err != nil {
				return fmt.Errorf("%s on %s: %w", name, be, err)
			}
		}
		p, err := m.InitialPoint()
		if err != nil {
			return err
		}
		x, err := lds[0].Flatten(p)
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(1, 2))
		for j := range x {
			x[j] += r.Float64() - 0.5
		}
		g := make([]float64, len(x))
		want := lds[0].LogpGrad(x, g)
		for i, ld := range lds {
			if lp := ld.LogpGrad(x, g); math.Abs(lp-want) > 1e-8*math.Abs(want) || math.IsNaN(g[0]) {
				return fmt.Errorf("%s on %s: log-density %v, %s gives %v (gradient[0] %v)", name, backends[i], lp, backends[0], want, g[0])
			}
		}
		// Calls per round: about 40 ms of the backend's time.
		calls := make([]int, len(backends))
		for i, ld := range lds {
			ld.LogpGrad(x, g)
			n, t0 := 0, threadCPU()
			for threadCPU()-t0 < 20*time.Millisecond {
				ld.LogpGrad(x, g)
				n++
			}
			calls[i] = max(1, 2*n)
		}
		per := make([][]float64, len(backends))
		for k := 0; k < rounds; k++ {
			for i, ld := range lds {
				t0 := threadCPU()
				for c := 0; c < calls[i]; c++ {
					ld.LogpGrad(x, g)
				}
				per[i] = append(per[i], float64(threadCPU()-t0)/float64(calls[i]))
			}
		}
		cells := make([]string, len(backends))
		for i := range backends {
			med := median(per[i])
			cells[i] = fmt.Sprintf("%s (%.1fx)", fmtNS(med), med/median(per[0]))
		}
		fmt.Printf("| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	return nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

func fmtNS(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
