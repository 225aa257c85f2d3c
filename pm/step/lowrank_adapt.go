package step

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
)

// lowRankAdapt schedules the low-rank modified metric's adaptation in nutpie's windows: the
// draws and gradients of warm-up are kept; each time the draws since the last switch number
// switchFreq (10 in the first 30% of warm-up, then 80), the metric is estimated from the
// draws of the last two such windows (lowRankEstimate) and the older window is dropped. No
// metric change in the last 15% of warm-up, left to the step size. A draw that did not move
// (the trajectory's sample is its start) is not kept: it repeats the last one.
type lowRankAdapt struct {
	set                 lowRankSettings
	earlyEnd, metricEnd int
	earlyFreq, lateFreq int
	off                 bool
	*lowRankStore           // the kept draws and the estimate's matrices; nil once the metric is final
	cnt, split          int // kept, and how many of them precede the last switch
	hasPrev             bool
	changes             int
	pool                *WarmupBuffers
}

// WarmupBuffers lends the memory the low-rank adaptation keeps during a chain's warm-up (its
// kept draws and gradients and the estimate's matrices, about 9n·(n/25 + 40) bytes for n
// coordinates up to 2000; 4.4 MB at n = 503) to the chains that warm up after that chain's
// metric is final. Chains run a few at a time then allocate that memory once per chain
// running at the same time, not once per chain, and leave that much less garbage. A
// chain's draws do not depend on the memory it is lent: each estimate writes what it reads.
// The zero value is ready to use; it is safe for concurrent use.
type WarmupBuffers struct {
	mu   sync.Mutex
	free []*lowRankStore
}

// lowRankStore is the memory of one chain's low-rank warm-up.
type lowRankStore struct {
	n, c   int
	xs, gs [][]float64 // the kept draws and gradients, oldest first
	prev   []float64   // the last draw, to recognise a stuck one
	work   lowRankWork // the estimate's matrices, reused
}

// take returns a free store for n coordinates and c kept draws, or nil.
func (p *WarmupBuffers) take(n, c int) *lowRankStore {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range p.free {
		if s.n == n && s.c == c {
			p.free = append(p.free[:i], p.free[i+1:]...)
			return s
		}
	}
	return nil
}

// give returns a store for later chains to take.
func (p *WarmupBuffers) give(s *lowRankStore) {
	if p == nil || s == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// newLowRankStore allocates the memory of a low-rank warm-up.
func newLowRankStore(n, c int) *lowRankStore {
	s := &lowRankStore{n: n, c: c}
	s.xs, s.gs = make([][]float64, c), make([][]float64, c)
	for i := range s.xs {
		s.xs[i], s.gs[i] = make([]float64, n), make([]float64, n)
	}
	s.prev = make([]float64, n)
	s.work.reserve(n, c, lowRankSpan)
	return s
}

// lowRankMaxDim is the largest dimension AdaptLowRank adapts a low-rank metric for; above
// it, it is AdaptDiag.
const lowRankMaxDim = 2000

// lowRankSpan is how many leading directions of the draws and of the gradients each the
// low-rank estimate considers.
const lowRankSpan = 40

func newLowRankAdapt(n, tune int, pool *WarmupBuffers) *lowRankAdapt {
	l := &lowRankAdapt{set: lowRankSettings{cutoff: 2, gamma: 1e-5, maxSpan: lowRankSpan}, earlyFreq: 10, lateFreq: 80, pool: pool}
	if tune < 20 {
		l.off = true
		return l
	}
	l.earlyEnd = int(0.3 * float64(tune))
	l.metricEnd = tune - int(math.Ceil(0.15*float64(tune)))
	c := 2*max(l.earlyFreq, l.lateFreq) + 2
	s := pool.take(n, c)
	if s == nil {
		s = newLowRankStore(n, c)
	}
	// A lent store's rows may come in another order (drop rotates them); each is written
	// before it is read, as is every matrix of the estimate.
	l.lowRankStore = s
	return l
}

// drop forgets the oldest d kept draws, moving their storage to the end.
func (l *lowRankAdapt) drop(d int) {
	if d <= 0 {
		return
	}
	rot := func(v [][]float64) {
		tmp := append([][]float64(nil), v[:d]...)
		copy(v, v[d:])
		copy(v[len(v)-d:], tmp)
	}
	rot(l.xs)
	rot(l.gs)
	l.cnt -= d
	l.split = max(l.split-d, 0)
}

// update records a warm-up draw (iteration iter) and, at a switch, sets the metric. It
// reports whether the metric changed and whether the step size should be searched afresh:
// only at the first change, as nutpie does; later changes keep adapting the step size where
// it is (restarting it at each switch, as Stan does at each window's end, gave 31.3 against
// 40.4 ESS per 1000 gradients on eight schools, medians over 8 seeds).
func (l *lowRankAdapt) update(m *metric, iter int, q, g []float64) (changed, restart bool) {
	if l.off || iter >= l.metricEnd {
		if l.lowRankStore != nil {
			// The metric is final: lend the kept draws and the estimate's matrices.
			l.pool.give(l.lowRankStore)
			l.lowRankStore, l.cnt, l.split = nil, 0, 0
		}
		return false, false
	}
	moved := !l.hasPrev || !floats.Equal(q, l.prev)
	copy(l.prev, q)
	l.hasPrev = true
	if moved {
		if l.cnt == len(l.xs) {
			l.drop(1)
		}
		copy(l.xs[l.cnt], q)
		copy(l.gs[l.cnt], g)
		l.cnt++
	}
	freq := l.lateFreq
	if iter < l.earlyEnd {
		freq = l.earlyFreq
	}
	last := iter == l.metricEnd-1
	if l.cnt-l.split < freq && !last {
		return false, false
	}
	sd, vals, vecs, ok := lowRankEstimate(l.xs[:l.cnt], l.gs[:l.cnt], l.set, &l.work)
	l.drop(l.split)
	l.split = l.cnt
	if !ok {
		return false, false
	}
	m.setLowRank(sd, vals, vecs)
	l.changes++
	return true, l.changes == 1
}
