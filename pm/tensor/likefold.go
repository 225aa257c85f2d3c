package tensor

import "math"

// Folded partials. The gradient of a Normal likelihood with a vector of values and a scalar σ
// reads the σ partial column only to sum it, and, with a constant mean, reads the μ partial
// column only to negate it (the partial in x). foldPartials moves that sum or negation into the
// likelihood's kernel, which then adds the partials up as it computes them or writes them
// negated: one pass over the column and one op fewer each, with the same bits (the kernel adds
// in order from 0, as SumOp does, and z·(−1/σ) is −(z/σ) exactly).

const (
	foldSum = 1 // bit k: partial k is summed
	foldNeg = 1 << 4
)

// Folded reports how the op outputs partial k (1 or 2): summed over its elements (a scalar) or
// negated. Backends that translate the op rather than run its kernel apply the same.
func (o LikelihoodOp) Folded(k int) (sum, neg bool) { return foldBits(o.fold, k) }

// Folded is LikelihoodOp.Folded.
func (o LikelihoodSumOp) Folded(k int) (sum, neg bool) { return foldBits(o.fold, k) }

func foldBits(fold uint8, k int) (sum, neg bool) {
	if k < 1 || k > 3 {
		return false, false
	}
	return fold&(foldSum<<k) != 0, fold&(foldNeg<<k) != 0
}

// unfoldGrad turns the gradients of a folded op's outputs into those of the plain op's outputs
// outs: a summed partial's gradient is broadcast over the elements, a negated one's negated.
func unfoldGrad(fold uint8, outs, gout []*Tensor) []*Tensor {
	g := make([]*Tensor, len(gout))
	copy(g, gout)
	for k := 1; k < len(g); k++ {
		if g[k] == nil {
			continue
		}
		sum, neg := foldBits(fold, k)
		if sum {
			g[k] = Apply1(Elemwise{opFill}, outs[k], g[k])
		}
		if neg {
			g[k] = Neg(g[k])
		}
	}
	return g
}

// foldPartials folds into each Normal likelihood the sum over all axes or the negation that is
// the only reader of one of its partial outputs of two or more elements (see above). It runs
// after the likelihoods have been fused with their sums.
func foldPartials(fg *FunctionGraph) (*FunctionGraph, error) {
	var reader map[*Tensor]*Apply
	for _, n := range fg.Nodes {
		for _, x := range n.Inputs {
			if o := x.owner; o != nil && x.index > 0 && normalFold(o.Op) >= 0 {
				if reader == nil {
					reader = map[*Tensor]*Apply{}
				}
				reader[x] = n
			}
		}
	}
	if reader == nil {
		return fg, nil
	}
	readers := fg.readerCounts()
	type fold struct {
		bits uint8
		by   [3]*Apply // the folded readers
	}
	folds := map[*Apply]*fold{}
	for _, n := range fg.Nodes {
		bits := normalFold(n.Op)
		if bits < 0 {
			continue
		}
		f := fold{bits: uint8(bits)}
		for k := 1; k < len(n.Outputs) && k < 3; k++ {
			t := n.Outputs[k]
			r := reader[t]
			if r == nil || readers.get(t.idOf()) != 1 || f.bits&(foldSum<<k|foldNeg<<k) != 0 || t.Type().Size() < 2 {
				continue
			}
			switch op := r.Op.(type) {
			case SumOp:
				if op.KeepDims || op.Axes != 0 && op.Axes != allAxes(t.NDim()) {
					continue
				}
				f.bits |= foldSum << k
			case Elemwise:
				if op.s != opNeg {
					continue
				}
				f.bits |= foldNeg << k
			default:
				continue
			}
			f.by[k] = r
		}
		if int(f.bits) != bits {
			folds[n] = &f
		}
	}
	if len(folds) == 0 {
		return fg, nil
	}
	m := map[*Tensor]*Tensor{}
	return fg.rebuild(fg.Nodes, m, func(n *Apply, ins []*Tensor) []*Tensor {
		f := folds[n]
		if f == nil {
			return nil
		}
		var op Op
		switch o := n.Op.(type) {
		case LikelihoodOp:
			o.fold = f.bits
			op = o
		case LikelihoodSumOp:
			o.fold = f.bits
			op = o
		}
		outs := ApplyOp(op, ins...)
		for k, r := range f.by {
			if r != nil {
				m[r.Outputs[0]] = outs[k] // the folded reader, which rebuild then skips
			}
		}
		return outs
	})
}

// normalFold is the fold bits of a Normal likelihood op, or −1 for any other op.
func normalFold(op Op) int {
	switch o := op.(type) {
	case LikelihoodOp:
		if o.kind == likeNormal {
			return int(o.fold)
		}
	case LikelihoodSumOp:
		if o.kind == likeNormal {
			return int(o.fold)
		}
	}
	return -1
}

// setFold prepares the kernel for an op's fold bits.
func (k *normalKernel) setFold(fold uint8) {
	k.sumMu, k.negMu = foldBits(fold, 1)
	k.sumSigma, k.negSigma = foldBits(fold, 2)
	k.folded = fold != 0
	if k.sumMu {
		k.scratch[0] = make([]float64, k.n)
	}
	if k.sumSigma {
		k.scratch[1] = make([]float64, k.n)
	}
}

// runFolded is run for a kernel with folded partials: dmu and dsg are the outputs as folded
// (one element when summed).
func (k *normalKernel) runFolded(x, mu, sg, lp, dmu, dsg []float64, start float64) float64 {
	if k.strided && k.ss == 0 && k.sx == 1 && !k.sumMu && !k.negSigma {
		// x read whole, one σ: the loop sums the σ partials as it goes.
		inv, c := k.invS, k.cS
		if inv == nil && sg[0] > 0 {
			k.inv1[0], k.c1[0] = 1/sg[0], math.Log(sg[0])+halfLog2Pi
			inv, c = k.inv1[:], k.c1[:]
		}
		if inv != nil {
			return normalFoldLoop(k.n, x, mu, k.sm, inv[0], c[0], lp, dmu, dsg, k.negMu, k.sumSigma, start)
		}
	}
	// Any other layout: the plain kernel, the summed partials into scratch, then the folds.
	m, s := dmu, dsg
	if k.sumMu && m != nil {
		m = k.scratch[0]
	}
	if k.sumSigma && s != nil {
		s = k.scratch[1]
	}
	v := k.runPlain(x, mu, sg, lp, m, s, start)
	applyFold(dmu, m, k.sumMu, k.negMu)
	applyFold(dsg, s, k.sumSigma, k.negSigma)
	return v
}

// applyFold writes into dst (nil: not wanted) the sum of the partials src, in order from 0 as
// SumOp adds, or negates dst (which is src) in place.
func applyFold(dst, src []float64, sum, neg bool) {
	if dst == nil {
		return
	}
	switch {
	case sum:
		t := 0.0
		for _, v := range src {
			t += v
		}
		dst[0] = t
	case neg:
		for i, v := range dst {
			dst[i] = -v
		}
	}
}

// normalFoldLoop is the folded kernel's loop for x read whole, μ read with stride sm (0 or 1)
// and one σ given by iv = 1/σ and cc = log σ + log(2π)/2: the values into lp (or their sum onto
// s when lp is nil), dmu (negated when negMu) unless nil, and dsg (the sum of the partials when
// sumSig) unless nil. The arithmetic is normalStrided's, so are the bits.
func normalFoldLoop(n int, x, mu []float64, sm int, iv, cc float64, lp, dmu, dsg []float64, negMu, sumSig bool, s float64) float64 {
	ivm := iv
	if negMu {
		ivm = -iv
	}
	x = x[:n]
	if lp == nil && dmu != nil && dsg != nil && sumSig {
		// The common case: a summed likelihood whose gradient wants both partials.
		dmu = dmu[:n]
		sd := 0.0
		if sm == 0 {
			m := mu[0]
			for i, xi := range x {
				z := (xi - m) * iv
				s += -0.5*z*z - cc
				dmu[i] = z * ivm
				sd += (z*z - 1) * iv
			}
		} else {
			mu := mu[:n]
			for i, xi := range x {
				z := (xi - mu[i]) * iv
				s += -0.5*z*z - cc
				dmu[i] = z * ivm
				sd += (z*z - 1) * iv
			}
		}
		dsg[0] = sd
		return s
	}
	sd := 0.0
	for i, xi := range x {
		z := (xi - mu[i*sm]) * iv
		l := -0.5*z*z - cc
		if lp != nil {
			lp[i] = l
		} else {
			s += l
		}
		if dmu != nil {
			dmu[i] = z * ivm
		}
		if dsg != nil {
			d := (z*z - 1) * iv
			if sumSig {
				sd += d
			} else {
				dsg[i] = d
			}
		}
	}
	if sumSig && dsg != nil {
		dsg[0] = sd
	}
	return s
}
