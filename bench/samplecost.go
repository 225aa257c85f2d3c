package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gopm-dev/gopm/pm"
)

// sampleCost measures what Sample costs beyond sampling, for each model: the process CPU time
// of the whole call against that of its chains (from the call to the end of the last
// iteration, chains one after another on one core), and the process's peak resident memory
// against the bytes of the trace's draws, both as the process's peak over the trace and as
// the memory Sample added (the peak less the resident memory before the call: the program,
// the model and its data) over the trace. Run it on its own process per model
// (`-samplecost -models stochvol`): the peak is the process's.
func sampleCost(dir string, models []string, chains, draws, tune int, seed uint64, metric string) error {
	fmt.Println("| model | Sample CPU s | sampling CPU s | after sampling | trace MB | RSS before MB | peak RSS MB: sampling / Sample | peak RSS / trace | (peak − before) / trace |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, name := range models {
		m, err := build(dir, name)
		if err != nil {
			return err
		}
		runtime.GC()
		before := currentRSS()
		last := tune + draws - 1
		var endSampling time.Duration
		var peakSampling float64
		t0 := threadCPU()
		opts := []pm.SampleOption{pm.Chains(chains), pm.Draws(draws), pm.Tune(tune), pm.Seed(seed), pm.Cores(1)}
		if metric != "" {
			opts = append(opts, pm.Metric(metric))
		}
		tr, err := m.Sample(append(opts,
			pm.OnDraw(func(chain, iter int, x []float64) {
				if iter == last {
					endSampling = threadCPU() // chains run in order: the last one's is the end
					peakSampling = peakRSS()
				}
			}))...)
		total := threadCPU() - t0
		if err != nil {
			return err
		}
		sampling := endSampling - t0
		bytes := traceBytes(tr)
		peak := peakRSS()
		fmt.Printf("| %s | %.2f | %.2f | %.2f s (%.1f%%) | %.1f | %.1f | %.1f / %.1f | %.2fx | %.2fx |\n", name, total.Seconds(), sampling.Seconds(),
			(total - sampling).Seconds(), 100*float64(total-sampling)/float64(sampling), bytes/1e6, before/1e6, peakSampling/1e6, peak/1e6, peak/bytes, (peak-before)/bytes)
	}
	return nil
}

// traceBytes is the size of a trace's stored values: every draw of every variable and the
// sampler's statistics.
func traceBytes(tr *pm.Trace) float64 {
	b := 0.0
	for _, v := range tr.Vars {
		b += float64(8 * v.Size() * tr.NChains() * tr.NDraws())
	}
	b += float64(tr.NChains()*tr.NDraws()) * 9 * 8 // Lp … MaxEnergyError, one value each
	return b
}

// peakRSS is the process's peak resident set size in bytes (Linux's VmHWM), 0 where unknown.
func peakRSS() float64 { return procStatus("VmHWM:") }

// currentRSS is the process's resident set size in bytes (Linux's VmRSS), 0 where unknown.
func currentRSS() float64 { return procStatus("VmRSS:") }

// procStatus reads a size in kB from /proc/self/status, in bytes.
func procStatus(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == field {
			kb, _ := strconv.ParseFloat(fs[1], 64)
			return kb * 1024
		}
	}
	return 0
}
