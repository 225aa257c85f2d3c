package pm

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LOOPIT returns the leave-one-out probability integral transform of every observation: the
// PSIS-LOO weighted share of posterior predictive draws at or below the observed value,
// P(ỹ_i ≤ y_i | y_−i) (Gelfand, Dey and Chang 1992; ArviZ's loo_pit). post is the posterior
// trace with its pointwise log-likelihood (ComputeLogLikelihood), pred the posterior
// predictive trace made from it (SamplePosteriorPredictive): both have the same chains and
// draws. For a well calibrated model the values look uniform on [0, 1] (see plots.LOOPIT); a
// U shape means the predictions are too narrow, a hump that they are too wide. For discrete
// data, ties are split at random between P(ỹ < y) and P(ỹ ≤ y) (randomized PIT, seeded by
// BootstrapSeed), which keeps the values uniform under a correct model.
func LOOPIT(post, pred *Trace, opts ...ELPDOption) ([]float64, error) {
	var c elpdConfig
	for _, o := range opts {
		o(&c)
	}
	v, err := pointwiseLL("LOOPIT", post, c)
	if err != nil {
		return nil, err
	}
	y := post.ObservedData[v.Name]
	if y == nil {
		return nil, &Error{Op: "LOOPIT", Var: v.Name, Msg: "the trace has no observed data of this variable (compute its log-likelihood with pm.ComputeLogLikelihood)"}
	}
	if pred == nil {
		return nil, &Error{Op: "LOOPIT", Msg: "the posterior predictive trace is nil"}
	}
	pv := pred.Var(v.Name)
	if pv == nil {
		return nil, &Error{Op: "LOOPIT", Var: v.Name, Msg: fmt.Sprintf("the posterior predictive trace has no draws of this variable (it has %v)", pred.Names())}
	}
	nc, nd := len(v.Draws), len(v.Draws[0])
	if len(pv.Draws) != nc || pred.NDraws() != nd {
		return nil, &Error{Op: "LOOPIT", Var: v.Name, Msg: fmt.Sprintf("the posterior predictive trace has %d chains of %d draws but the log-likelihood has %d of %d: make it from the same posterior trace", len(pv.Draws), pred.NDraws(), nc, nd)}
	}
	if pv.Size() != len(y) || v.Size() != len(y) {
		return nil, &Error{Op: "LOOPIT", Var: v.Name, Msg: fmt.Sprintf("%d observed values, %d predicted values per draw and %d log-likelihood terms per draw: LOO-PIT needs one of each per observation (a multivariate observation has no PIT)", len(y), pv.Size(), v.Size())}
	}
	r, lws := looOf(v, true)
	if err := r.finiteErr("LOOPIT"); err != nil {
		return nil, err
	}
	discrete := pv.Discrete
	for _, x := range y {
		if x != math.Trunc(x) {
			discrete = false
		}
	}
	rng := rand.New(rand.NewPCG(c.seed, 0x5851f42d4c957f2d))
	pit := make([]float64, len(y))
	for i, yi := range y {
		lw := lws[i]
		below, tie := 0.0, 0.0
		s := 0
		for ch := range nc {
			for d := range nd {
				yh := pv.Draws[ch][d][i]
				w := math.Exp(lw[s])
				switch {
				case yh < yi:
					below += w
				case yh == yi:
					tie += w
				}
				s++
			}
		}
		p := below + tie
		if discrete && tie > 0 {
			p = below + rng.Float64()*tie
		}
		pit[i] = min(max(p, 0), 1)
	}
	return pit, nil
}
