package term

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/chzyer/readline"

	"github.com/gopm-dev/gopm/pm/step"
)

// progressBars draws one live line per chain while pm samples, PyMC style:
//
//	chain 0 [#############-------]  65%  1300/2000  draws  div 0  step 0.42  9.1k grad/s
//
// It redraws in place with ANSI cursor movements, at most every 100 ms, and only on a
// terminal: scripts whose stderr is a file or a pipe get no bars.
type progressBars struct {
	p      *printer
	on     bool
	chains map[int]step.Progress
	drawn  int
	last   time.Time
}

func newProgressBars(p *printer, w io.Writer) *progressBars {
	on := false
	if f, ok := w.(*os.File); ok {
		on = readline.IsTerminal(int(f.Fd()))
	}
	return &progressBars{p: p, on: on, chains: map[int]step.Progress{}}
}

// update records a chain's progress and redraws.
func (b *progressBars) update(pr step.Progress) {
	if !b.on {
		return
	}
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	b.chains[pr.Chain] = pr
	done := true
	for _, c := range b.chains {
		done = done && c.Finished
	}
	if !done && time.Since(b.last) < 100*time.Millisecond && !pr.Finished {
		return
	}
	b.last = time.Now()
	b.draw()
	if done {
		b.chains = map[int]step.Progress{}
		b.drawn = 0
	}
}

func (b *progressBars) draw() {
	ids := make([]int, 0, len(b.chains))
	for id := range b.chains {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var sb strings.Builder
	if b.drawn > 0 {
		fmt.Fprintf(&sb, "\x1b[%dA", b.drawn) // back to the first bar
	}
	for _, id := range ids {
		sb.WriteString("\r\x1b[2K")
		sb.WriteString(progressLine(b.chains[id]))
		sb.WriteByte('\n')
	}
	b.drawn = len(ids)
	io.WriteString(b.p.err, sb.String())
}

// progressLine formats one chain's bar.
func progressLine(p step.Progress) string {
	const width = 20
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	}
	n := int(frac*width + 0.5)
	bar := strings.Repeat("#", n) + strings.Repeat("-", width-n)
	phase := "draws"
	if p.Tuning {
		phase = "tune"
	}
	if p.Finished {
		phase = "done"
	}
	speed := ""
	if s := p.Elapsed.Seconds(); s > 0 {
		speed = fmt.Sprintf("  %s grad/s", short(float64(p.GradEvals)/s))
	}
	if p.Fit != "" { // a variational fit (pm.Fit): iterations and the latest ELBO
		elbo := "ELBO -"
		if !math.IsNaN(p.ELBO) && p.ELBO != 0 {
			elbo = fmt.Sprintf("ELBO %.6g", p.ELBO)
		}
		state := ""
		if p.Finished {
			state = "  done"
		}
		return fmt.Sprintf("%s [%s] %3.0f%%  %d/%d  %s%s  %s", p.Fit, bar, 100*frac, p.Done, p.Total, elbo, state, p.Elapsed.Round(time.Second/10))
	}
	return fmt.Sprintf("chain %d [%s] %3.0f%%  %d/%d  %-5s  div %d  step %.3g%s  %s",
		p.Chain, bar, 100*frac, p.Done, p.Total, phase, p.Divergences, p.StepSize, speed, p.Elapsed.Round(time.Second/10))
}

func short(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
