package pm

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gopm-dev/gopm/pm/step"
)

// MethodNames are the step methods Method accepts.
var MethodNames = []string{"nuts", "hmc", "metropolis", "slice", "demetropolisz"}

func validMethod(name string) bool {
	for _, n := range MethodNames {
		if n == name {
			return true
		}
	}
	return false
}

// SampleSettings are the settings a trace was sampled with, as CmdStan records them in its
// output files.
type SampleSettings struct {
	Draws        int     `json:"draws"`
	Tune         int     `json:"tune"`
	Chains       int     `json:"chains"`
	Seed         uint64  `json:"seed"`
	TargetAccept float64 `json:"target_accept"` // NUTS's and HMC's target acceptance (Stan's delta)
	MaxTreeDepth int     `json:"max_tree_depth"`
	Metric       string  `json:"metric"` // "diag", "dense", "grad" or "lowrank"
	Method       string  `json:"method"` // the Method option, "" for automatic assignment
}

func (c *sampleConfig) settings() SampleSettings {
	metric := map[step.Adapt]string{step.AdaptDiag: "diag", step.AdaptDense: "dense", step.AdaptGradDiag: "grad", step.AdaptLowRank: "lowrank"}[c.adapt]
	return SampleSettings{Draws: c.draws, Tune: c.tune, Chains: c.chains, Seed: c.seed, TargetAccept: c.targetAccept,
		MaxTreeDepth: c.maxTreeDepth, Metric: metric, Method: c.method}
}

// settleChains turns the runner's chains into the trace's: failed chains are removed (and are
// the returned error, naming each chain and its cause), chains of an interrupted run that made
// no draw are removed, and the rest are cut to the shortest. It returns the original indices of
// the chains kept and the warnings to show.
func settleChains(res *step.Result, ld *LogDensity) (kept []int, notes []string, err error) {
	total := len(res.Chains)
	causes := map[int]string{}
	for i := range res.Chains {
		ch := &res.Chains[i]
		switch {
		case ch.Err != nil:
			var ce *step.ChainError
			if errors.As(ch.Err, &ce) {
				causes[i] = ce.Err.Error()
			} else {
				causes[i] = ch.Err.Error()
			}
		case stuck(ch, ld):
			x := ch.Draws[0]
			if nowhereFinite(ld, x) {
				causes[i] = fmt.Sprintf("it never moved in its %d draws: the log-density is not finite (NaN or infinite) anywhere around %s", len(ch.Draws), fmtFlat(x))
			} else {
				notes = append(notes, fmt.Sprintf("chain %d never moved in its %d draws (every transition was rejected or diverged; step size %.3g): "+
					"its draws are worthless; raise Tune or lower the step size", i, len(ch.Draws), ch.StepSize))
			}
		}
	}
	var empty []int
	var good []step.Chain
	for i, ch := range res.Chains {
		if _, bad := causes[i]; bad {
			continue
		}
		if res.Cancelled && len(ch.Draws) == 0 {
			empty = append(empty, i)
			continue
		}
		good = append(good, ch)
		kept = append(kept, i)
	}
	res.Chains = good
	if res.Cancelled {
		n := -1
		for _, ch := range good {
			if n < 0 || len(ch.Draws) < n {
				n = len(ch.Draws)
			}
		}
		for i := range res.Chains {
			ch := &res.Chains[i]
			ch.Draws, ch.Stats = ch.Draws[:min(n, len(ch.Draws))], ch.Stats[:min(n, len(ch.Stats))]
		}
		msg := fmt.Sprintf("sampling was interrupted: the trace holds %d draws per chain", max(n, 0))
		if len(kept) > 0 {
			msg += fmt.Sprintf(" from %s %s (cut to the shortest)", plural(len(kept), "chain", "chains"), intList(kept))
		}
		if len(empty) > 0 {
			msg += fmt.Sprintf("; %s %s made no draw (never started or still in warm-up) and %s dropped", plural(len(empty), "chain", "chains"), intList(empty), plural(len(empty), "was", "were"))
		}
		notes = append(notes, msg)
	}
	if len(causes) == 0 {
		return kept, notes, nil
	}
	// Group the chains by cause, so that one mistake repeated in every chain reads once.
	byCause := map[string][]int{}
	for i, c := range causes {
		byCause[c] = append(byCause[c], i)
	}
	var parts []string
	for c, ids := range byCause {
		sort.Ints(ids)
		parts = append(parts, fmt.Sprintf("%s %s: %s", plural(len(ids), "chain", "chains"), intList(ids), c))
	}
	sort.Strings(parts)
	var msg string
	switch {
	case total == 1:
		msg = parts[0] + " (the only chain failed)"
	case len(causes) == total:
		msg = fmt.Sprintf("all %d chains failed: %s", total, strings.Join(parts, "; "))
	default:
		msg = fmt.Sprintf("%d of %d chains failed: %s; the trace keeps the %d other %s (%s)", len(causes), total,
			strings.Join(parts, "; "), len(kept), plural(len(kept), "chain", "chains"), intList(kept))
		if len(kept) == 0 {
			msg = fmt.Sprintf("%d of %d chains failed: %s; the others made no draw", len(causes), total, strings.Join(parts, "; "))
		}
		notes = append(notes, msg)
	}
	return kept, notes, &Error{Op: "Sample", Msg: msg}
}

// stuck reports a chain whose continuous coordinates never changed in 10 or more draws: every
// transition was rejected, which only a log-density that is not finite around it explains.
func stuck(ch *step.Chain, ld *LogDensity) bool {
	if len(ch.Draws) < 10 {
		return false
	}
	cont := 0
	for _, b := range ld.Blocks() {
		if b.Discrete {
			continue
		}
		cont += b.Size
		for _, x := range ch.Draws[1:] {
			for k := b.Offset; k < b.Offset+b.Size; k++ {
				if x[k] != ch.Draws[0][k] {
					return false
				}
			}
		}
	}
	return cont > 0
}

// nowhereFinite reports whether the log-density is not finite at x and at small steps from x
// along each of its first coordinates.
func nowhereFinite(ld *LogDensity, x []float64) bool {
	d := ld.Clone()
	y := append([]float64(nil), x...)
	if v := d.Logp(y); !math.IsNaN(v) && !math.IsInf(v, 0) {
		return false
	}
	for k := 0; k < min(len(y), 16); k++ {
		for _, h := range []float64{-1e-3, 1e-3, -0.5, 0.5} {
			y[k] = x[k] + h
			if v := d.Logp(y); !math.IsNaN(v) && !math.IsInf(v, 0) {
				return false
			}
		}
		y[k] = x[k]
	}
	return true
}

func fmtFlat(x []float64) string {
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
		sb.WriteString(strconv.FormatFloat(v, 'g', 4, 64))
	}
	return sb.String() + "]"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func intList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ", ")
}

// rewriteStream makes a StreamTo file agree with the trace once chains were dropped or cut:
// it keeps the rows of the kept chains (renumbered as in the trace) up to the trace's length.
func rewriteStream(path string, kept []int, chains []step.Chain) error {
	newID := map[int]int{}
	for i, id := range kept {
		newID[id] = i
	}
	n := 0
	if len(chains) > 0 {
		n = len(chains[0].Draws)
	}
	in, err := os.ReadFile(path)
	if err != nil {
		return &Error{Op: "StreamTo", Msg: err.Error()}
	}
	var out strings.Builder
	lines := strings.SplitAfter(string(in), "\n")
	for i, line := range lines {
		if i == 0 {
			out.WriteString(line)
			continue
		}
		f := strings.SplitN(line, ",", 3)
		if len(f) < 3 {
			continue
		}
		c, err1 := strconv.Atoi(f[0])
		d, err2 := strconv.Atoi(f[1])
		id, ok := newID[c]
		if err1 != nil || err2 != nil || !ok || d >= n {
			continue
		}
		out.WriteString(strconv.Itoa(id) + "," + f[1] + "," + f[2])
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(out.String()), 0o644); err != nil {
		return &Error{Op: "StreamTo", Msg: err.Error()}
	}
	if err := os.Rename(tmp, path); err != nil {
		return &Error{Op: "StreamTo", Msg: err.Error()}
	}
	return nil
}

// availableMemory is the memory the system can give (Linux's MemAvailable), and false where it
// is not known.
func availableMemory() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fs[1], 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// fitsInMemory is an error when need bytes exceed the memory available; what says what needs
// them.
func fitsInMemory(op, v string, need float64, what string) error {
	avail, ok := availableMemory()
	if !ok || need <= float64(avail) {
		return nil
	}
	return &Error{Op: op, Var: v, Msg: fmt.Sprintf("%s needs %s (%.0f bytes) but only %s (%d bytes) of memory is available",
		what, fmtBytes(need), need, fmtBytes(float64(avail)), avail)}
}

func fmtBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}

// checkSampleMemory refuses a run whose draws cannot fit in memory: the runner's flat draws and
// statistics and the trace's values of every variable, per chain and draw.
func (m *Model) checkSampleMemory(ld *LogDensity, c sampleConfig) error {
	point := 0.0
	for _, rv := range m.pointVars() {
		point += float64(sizeOf(rv.Tensor.Shape()))
	}
	perDraw := 8*float64(ld.Dim()) + float64(unsafe.Sizeof(step.Stats{})) + 8*point + 24*float64(len(m.pointVars())) + 9*8
	n := float64(c.draws)
	if c.keepWarmup {
		n += float64(c.tune)
	}
	need := float64(c.chains) * n * perDraw
	return fitsInMemory("Sample", "", need, fmt.Sprintf("keeping %d chains × %d draws of %d values each", c.chains, int(n), int(float64(ld.Dim())+point)))
}
