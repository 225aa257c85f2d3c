package kernel

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/pm/step"
)

// progressDisplay shows the chains of a sampling run as progress bars in the cell's
// output: one display_data with a display_id when the run starts, then
// update_display_data messages (at most every 200 ms, and once when every chain has
// finished), which any Jupyter front-end redraws in place.
type progressDisplay struct {
	k      *Kernel
	mu     sync.Mutex
	id     string
	chains map[int]step.Progress
	last   time.Time
}

const progressInterval = 200 * time.Millisecond

// update receives one chain's progress (engine Options.OnProgress).
func (p *progressDisplay) update(pr step.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.k.mu.Lock()
	parent, silent := p.k.cur, p.k.silent
	p.k.mu.Unlock()
	if parent == nil || silent {
		return
	}
	if p.id == "" {
		p.id = "gopm-progress-" + newID()
		p.chains = map[int]step.Progress{}
		p.chains[pr.Chain] = pr
		p.last = time.Now()
		p.k.publishData(parent, "display_data", p.bundle(), -1)
		return
	}
	p.chains[pr.Chain] = pr
	done := p.allFinished()
	if !done && time.Since(p.last) < progressInterval {
		return
	}
	p.last = time.Now()
	p.k.publishData(parent, "update_display_data", p.bundle(), -1)
	if done {
		p.id = "" // the next run gets bars of its own
	}
}

// finish ends the current bars when the cell ends (an interrupted run may not report
// every chain finished): the last state is drawn.
func (p *progressDisplay) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.id == "" {
		return
	}
	p.k.mu.Lock()
	parent := p.k.cur
	p.k.mu.Unlock()
	if parent != nil {
		p.k.publishData(parent, "update_display_data", p.bundle(), -1)
	}
	p.id = ""
}

func (p *progressDisplay) allFinished() bool {
	for _, c := range p.chains {
		if !c.Finished {
			return false
		}
	}
	return true
}

func (p *progressDisplay) sorted() []step.Progress {
	ids := make([]int, 0, len(p.chains))
	for id := range p.chains {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]step.Progress, len(ids))
	for i, id := range ids {
		out[i] = p.chains[id]
	}
	return out
}

// bundle draws the bars as HTML (a <progress> element per chain) and as text.
func (p *progressDisplay) bundle() display.Data {
	var h, t strings.Builder
	h.WriteString(`<div class="gopm-progress" style="font-family:monospace;font-size:12px">`)
	for _, c := range p.sorted() {
		frac := 0.0
		if c.Total > 0 {
			frac = float64(c.Done) / float64(c.Total)
		}
		phase, color := "draws", "#1f77b4"
		if c.Tuning {
			phase, color = "warm-up", "#999"
		}
		if c.Finished {
			phase, color = "done", "#2ca02c"
		}
		if c.Divergences > 0 {
			color = "#d62728"
		}
		fmt.Fprintf(&h, `<div style="white-space:nowrap">chain %d <span style="display:inline-block;width:200px;height:10px;background:#eee;vertical-align:middle;border-radius:2px"><span style="display:block;width:%.1f%%;height:100%%;background:%s;border-radius:2px"></span></span> %3.0f%% %d/%d %s &middot; %d divergences &middot; step size %.3g &middot; %s</div>`,
			c.Chain, 100*frac, color, 100*frac, c.Done, c.Total, phase, c.Divergences, c.StepSize, c.Elapsed.Round(100*time.Millisecond))
		n := int(frac*20 + 0.5)
		fmt.Fprintf(&t, "chain %d [%s%s] %3.0f%% %d/%d %s, %d divergences, step size %.3g, %s\n",
			c.Chain, strings.Repeat("#", n), strings.Repeat("-", 20-n), 100*frac, c.Done, c.Total, phase, c.Divergences, c.StepSize, c.Elapsed.Round(100*time.Millisecond))
	}
	h.WriteString("</div>")
	return display.Data{
		Data:      display.MIMEMap{display.MIMETypeHTML: h.String(), display.MIMETypeText: strings.TrimRight(t.String(), "\n")},
		Transient: display.MIMEMap{"display_id": p.id},
	}
}
