package pm

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// ComputeLogLikelihood evaluates the pointwise log-likelihood of every observed variable of m
// at every draw of t and stores it in t.LogLikelihood (with the observed values in
// t.ObservedData), as PyMC's compute_log_likelihood fills ArviZ's log_likelihood group. An
// observation is one element of the data for a scalar distribution and one event (a row of
// an MvNormal, say) for a multivariate one, so each variable's log-likelihood has the batch
// shape of its data. One compiled function gives every observed variable's terms in one pass
// per draw; the pass allocates nothing. Chains are evaluated in parallel. The trace must hold
// every free variable of m.
func ComputeLogLikelihood(t *Trace, m *Model) (err error) {
	defer catchInto(&err)
	if t == nil || t.NChains() == 0 || t.NDraws() == 0 {
		return &Error{Op: "ComputeLogLikelihood", Msg: "the trace is empty"}
	}
	if m == nil {
		return &Error{Op: "ComputeLogLikelihood", Msg: "the model is nil"}
	}
	obs := m.ObservedVars()
	if len(obs) == 0 {
		return &Error{Op: "ComputeLogLikelihood", Msg: "the model has no observed variables"}
	}
	repl := map[*tensor.Tensor]*tensor.Tensor{}
	var ins []any
	var free []*TraceVar
	for _, rv := range m.FreeVars() {
		tv := t.Var(rv.Name)
		if tv == nil {
			return &Error{Op: "ComputeLogLikelihood", Var: rv.Name, Msg: fmt.Sprintf("the trace has no draws of this free variable (it has %s); was it sampled from this model?", strings.Join(t.Names(), ", "))}
		}
		if tv.Size() != sizeOf(rv.Shape) {
			return &Error{Op: "ComputeLogLikelihood", Var: rv.Name, Msg: fmt.Sprintf("the trace's draws have shape %s but the model's variable has shape %s", tensor.ShapeString(tv.Shape), tensor.ShapeString(rv.Shape))}
		}
		in := tensor.NewVar(rv.Name, tensor.Float64, rv.Shape...)
		var x *tensor.Tensor = in
		if rv.Dist.DType() != tensor.Float64 {
			x = tensor.Cast(in, rv.Dist.DType())
		}
		repl[rv.Tensor] = x
		ins = append(ins, in)
		free = append(free, tv)
	}
	outs := make([]*tensor.Tensor, len(obs))
	for i, rv := range obs {
		var lp *tensor.Tensor
		if err := tensor.Catch(func() { lp = rv.Dist.Logp(rv.Tensor) }); err != nil {
			return &Error{Op: "ComputeLogLikelihood", Var: rv.Name, Msg: err.Error()}
		}
		lp = tensor.Replace([]*tensor.Tensor{lp}, repl)[0]
		if !lp.DType().IsFloat() {
			lp = tensor.Cast(lp, tensor.Float64)
		}
		outs[i] = lp
	}
	f, err := backend.Compile(ins, outs, backend.Use(t.Backend))
	if err != nil {
		f, err = backend.Compile(ins, outs)
		if err != nil {
			return err
		}
	}
	newArgs := func() []*tensor.Array {
		args := make([]*tensor.Array, len(free))
		for i, tv := range free {
			args[i] = &tensor.Array{DType: tensor.Float64, Shape: append([]int{}, tv.Shape...)}
		}
		return args
	}
	nc, nd := t.NChains(), t.NDraws()
	for _, tv := range free {
		if len(tv.Draws) != nc {
			return &Error{Op: "ComputeLogLikelihood", Var: tv.Name, Msg: fmt.Sprintf("has %d chains, the trace %d", len(tv.Draws), nc)}
		}
		for c, ch := range tv.Draws {
			if len(ch) < nd {
				return &Error{Op: "ComputeLogLikelihood", Var: tv.Name, Msg: fmt.Sprintf("chain %d has %d draws, fewer than the trace's %d", c, len(ch), nd)}
			}
			for d, x := range ch[:nd] {
				if len(x) != tv.Size() {
					return &Error{Op: "ComputeLogLikelihood", Var: tv.Name, Msg: fmt.Sprintf("draw %d of chain %d has %d values, want %d", d, c, len(x), tv.Size())}
				}
			}
		}
	}
	// The first draw gives the number of observations of each variable.
	args := newArgs()
	for i, tv := range free {
		args[i].Data = tv.Draws[0][0]
	}
	res, err := f.Run(args...)
	if err != nil {
		return &Error{Op: "ComputeLogLikelihood", Msg: fmt.Sprintf("draw 0 of chain 0: %v", err)}
	}
	ll := make([]*TraceVar, len(obs))
	for i, rv := range obs {
		ll[i] = &TraceVar{Name: rv.Name, Shape: append([]int{}, res[i].Shape...), Draws: make([][][]float64, nc)}
		for c := range nc {
			ll[i].Draws[c] = splitRows(make([]float64, nd*res[i].Size()), nd)
		}
	}
	// Chains run in parallel, each on its own copy of the function.
	errs := make([]error, nc)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for c := range nc {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			g, args := f.Clone(), newArgs()
			for d := range nd {
				for i, tv := range free {
					args[i].Data = tv.Draws[c][d]
				}
				res, err := g.Run(args...)
				if err != nil {
					errs[c] = &Error{Op: "ComputeLogLikelihood", Msg: fmt.Sprintf("draw %d of chain %d: %v", d, c, err)}
					return
				}
				for k, v := range ll {
					if len(res[k].Data) != len(v.Draws[c][d]) {
						errs[c] = &Error{Op: "ComputeLogLikelihood", Var: v.Name, Msg: fmt.Sprintf("draw %d of chain %d has %d observations, the first draw %d", d, c, len(res[k].Data), len(v.Draws[c][d]))}
						return
					}
					copy(v.Draws[c][d], res[k].Data)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	t.LogLikelihood = ll
	t.ObservedData = map[string][]float64{}
	for _, rv := range obs {
		v := tensor.SharedValue(rv.Tensor)
		if v == nil {
			v = rv.Tensor.Value()
		}
		if v != nil {
			t.ObservedData[rv.Name] = v.Floats()
		}
	}
	return nil
}

// splitRows cuts a backing array into n rows of equal length, so that a chain's draws take
// one allocation.
func splitRows(data []float64, n int) [][]float64 {
	w := len(data) / n
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = data[i*w : (i+1)*w : (i+1)*w]
	}
	return rows
}

// LogLikelihoodVar returns the stored pointwise log-likelihood of the named observed variable,
// or nil.
func (t *Trace) LogLikelihoodVar(name string) *TraceVar {
	for _, v := range t.LogLikelihood {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// StoreLogLikelihood makes Sample compute the pointwise log-likelihood after sampling and
// store it in the trace (PyMC's idata_kwargs={"log_likelihood": True}), ready for LOO, WAIC
// and Compare.
func StoreLogLikelihood() SampleOption { return func(c *sampleConfig) { c.storeLogLik = true } }
