package diag

import (
	"fmt"
	"math"
	"strings"
)

// Thresholds of the sampling warnings, from PyMC's run_convergence_checks
// and Stan's diagnose utility; Vehtari et al. (2021) recommend both the
// R-hat and the ESS-per-chain limits.
const (
	// RHatLimit is the largest acceptable R-hat.
	RHatLimit = 1.01
	// ESSPerChainLimit is the smallest acceptable bulk or tail ESS per chain.
	ESSPerChainLimit = 100
	// EBFMILimit is the smallest acceptable E-BFMI of a chain.
	EBFMILimit = 0.3
)

// WarningKind classifies a sampling Warning.
type WarningKind string

// The kinds of sampling warnings.
const (
	WarnRHat       WarningKind = "rhat"
	WarnESS        WarningKind = "ess"
	WarnDivergence WarningKind = "divergence"
	WarnTreeDepth  WarningKind = "treedepth"
	WarnEBFMI      WarningKind = "bfmi"
)

// Warning is one problem found after sampling, with a message in the words
// PyMC and Stan use.
type Warning struct {
	Kind    WarningKind
	Message string
}

// String returns the message.
func (w Warning) String() string { return w.Message }

// SamplerStats are the numbers from a sampling run that Warnings checks
// besides the summary table. Zero values mean "nothing to report": leave
// EBFMI nil and MaxTreeDepth 0 for samplers without trajectories.
type SamplerStats struct {
	// Draws is the number of post-warm-up transitions over all chains, used
	// for the tree-depth share. Zero takes chains × draws of the Summary.
	Draws int
	// Divergences counts divergent transitions after tuning, over all chains.
	Divergences int
	// TargetAccept is the step-size adaptation target used, quoted in the
	// advice; zero leaves it out.
	TargetAccept float64
	// MaxTreeDepth is the NUTS tree-depth limit; TreeDepthHits counts the
	// post-warm-up transitions that reached it, over all chains.
	MaxTreeDepth  int
	TreeDepthHits int
	// EBFMI holds one E-BFMI value per chain (see EBFMI).
	EBFMI []float64
}

// Warnings returns the warnings PyMC and Stan give after sampling, in this
// order: divergences after tuning, transitions at the maximum tree depth,
// chains with E-BFMI below 0.3, variables with R-hat above 1.01, and
// variables whose bulk or tail ESS is below 100 per chain. Each message
// names the variables or chains at fault. s may be nil to check only st;
// NaN diagnostics (constant variables) raise no warning, as in PyMC.
func Warnings(s *Summary, st SamplerStats) []Warning {
	if s == nil {
		return warnings(nil, 0, 0, st)
	}
	return warnings(s.rows, s.chains, s.draws, st)
}

// warnings is Warnings on the rows of chains × draws draws.
func warnings(rows []Row, chains, draws int, st SamplerStats) []Warning {
	var out []Warning
	if st.Divergences > 0 {
		msg := fmt.Sprintf("There were %d divergences after tuning.", st.Divergences)
		if st.Divergences == 1 {
			msg = "There was 1 divergence after tuning."
		}
		advice := " Increase `target_accept`"
		if st.TargetAccept > 0 {
			advice += fmt.Sprintf(" (now %g; try %g)", st.TargetAccept, nextTarget(st.TargetAccept))
		}
		advice += " or reparameterize, e.g. write hierarchical models in non-centered form."
		out = append(out, Warning{WarnDivergence, msg + advice})
	}
	if st.MaxTreeDepth > 0 && st.TreeDepthHits > 0 {
		total := st.Draws
		if total == 0 {
			total = chains * draws
		}
		share := ""
		if total > 0 {
			share = fmt.Sprintf(" of %d (%.2g%%)", total, 100*float64(st.TreeDepthHits)/float64(total))
		}
		out = append(out, Warning{WarnTreeDepth, fmt.Sprintf(
			"%d%s transitions hit the maximum tree depth of %d. Increase `max_treedepth`, increase `target_accept` or reparameterize.",
			st.TreeDepthHits, share, st.MaxTreeDepth)})
	}
	var low []string
	for c, e := range st.EBFMI {
		if e < EBFMILimit {
			low = append(low, fmt.Sprintf("chain %d: %.3g", c, e))
		}
	}
	if len(low) > 0 {
		head := fmt.Sprintf("There were %d chains", len(low))
		if len(low) == 1 {
			head = "There was 1 chain"
		}
		out = append(out, Warning{WarnEBFMI, fmt.Sprintf(
			"%s where the estimated Bayesian Fraction of Missing Information was low (%s, below %g). This suggests that the posterior has heavy tails the sampler explores poorly; try reparameterizing. See https://mc-stan.org/misc/warnings.html#bfmi-low",
			head, strings.Join(low, ", "), EBFMILimit)})
	}
	var highR, lowESS []string
	for _, r := range rows {
		if r.RHat > RHatLimit {
			highR = append(highR, fmt.Sprintf("%s (%.3f)", r.Name, r.RHat))
		}
		if chains > 0 {
			limit := ESSPerChainLimit * float64(chains)
			if r.ESSBulk < limit || r.ESSTail < limit {
				lowESS = append(lowESS, fmt.Sprintf("%s (bulk %.0f, tail %.0f)", r.Name, r.ESSBulk, r.ESSTail))
			}
		}
	}
	if len(highR) > 0 {
		out = append(out, Warning{WarnRHat, fmt.Sprintf(
			"The rhat statistic is larger than %g for some parameters: %s. This indicates problems during sampling. See https://arxiv.org/abs/1903.08008 for details",
			RHatLimit, strings.Join(highR, ", "))})
	}
	if len(lowESS) > 0 {
		out = append(out, Warning{WarnESS, fmt.Sprintf(
			"The effective sample size per chain is smaller than %d for some parameters: %s with %d chains. A higher number is needed for reliable rhat and ess computation. See https://arxiv.org/abs/1903.08008 for details",
			ESSPerChainLimit, strings.Join(lowESS, ", "), chains)})
	}
	return out
}

// nextTarget suggests a higher target acceptance: halfway to 1, rounded to
// two decimals (0.8 → 0.9, 0.9 → 0.95, 0.95 → 0.98).
func nextTarget(t float64) float64 {
	n := math.Round((t+(1-t)/2)*100) / 100
	if n >= 1 {
		return 0.99
	}
	return n
}
