package pm

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// stanStats are CmdStan's sampler columns, in CmdStan's order.
var stanStats = []string{"lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"}

// WriteStanCSV writes the trace as CmdStan output, one file per chain named
// prefix_1.csv, prefix_2.csv, ... (so that R's rstan::read_stan_csv and ArviZ's from_cmdstan
// read it): CmdStan's configuration comments, the sampler columns lp__ ... energy__, then one
// column per element of every variable in Stan's naming (beta.1, L.2.1; indices from 1), the
// adaptation comments and the elapsed times. It returns the files written.
func (t *Trace) WriteStanCSV(prefix string) ([]string, error) {
	if t == nil || t.NChains() == 0 {
		return nil, &Error{Op: "WriteStanCSV", Msg: "the trace is empty"}
	}
	var cols []string
	for _, v := range t.Vars {
		for _, cn := range v.ComponentNames() {
			cols = append(cols, stanName(cn))
		}
	}
	var files []string
	for c := 0; c < t.NChains(); c++ {
		path := fmt.Sprintf("%s_%d.csv", prefix, c+1)
		if err := t.writeChainCSV(path, c, cols); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

// FromStanName turns a Stan parameter name, with indices from 1 ("beta[2]", "L[2,1]", or
// CmdStan's "beta.2"), into gopm's ("beta[1]", "L[1,0]"), to compare with Stan's output.
func FromStanName(name string) string {
	var base string
	var idx []string
	switch {
	case strings.HasSuffix(name, "]") && strings.Contains(name, "["):
		i := strings.IndexByte(name, '[')
		base, idx = name[:i], strings.Split(name[i+1:len(name)-1], ",")
	case strings.Contains(name, "."):
		parts := strings.Split(name, ".")
		base, idx = parts[0], parts[1:]
	default:
		return name
	}
	for k, s := range idx {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return name
		}
		idx[k] = strconv.Itoa(n - 1)
	}
	return base + "[" + strings.Join(idx, ",") + "]"
}

// stanName turns "beta[0,1]" into "beta.1.2".
func stanName(cn string) string {
	i := strings.IndexByte(cn, '[')
	if i < 0 {
		return cn
	}
	parts := strings.Split(strings.TrimSuffix(cn[i+1:], "]"), ",")
	for k, p := range parts {
		n, _ := strconv.Atoi(p)
		parts[k] = strconv.Itoa(n + 1)
	}
	return cn[:i] + "." + strings.Join(parts, ".")
}

func (t *Trace) writeChainCSV(path string, c int, cols []string) error {
	f, err := os.Create(path)
	if err != nil {
		return &Error{Op: "WriteStanCSV", Msg: err.Error()}
	}
	w := bufio.NewWriter(f)
	nd := len(t.Vars[0].Draws[c])
	nw := 0
	if t.Warmup != nil && c < t.Warmup.NChains() {
		nw = len(t.Warmup.Vars[0].Draws[c])
	}
	t.writeStanConfig(w, c, path, nd, nw)
	fmt.Fprintf(w, "%s,%s\n", strings.Join(stanStats, ","), strings.Join(cols, ","))
	row := func(tr *Trace, d int) {
		st := &tr.Stats
		vals := []float64{at(st.Lp, c, d), at(st.Acceptance, c, d), at(st.StepSize, c, d), float64(atInt(st.TreeDepth, c, d)),
			float64(atInt(st.NSteps, c, d)), b2f(atBool(st.Diverging, c, d)), at(st.Energy, c, d)}
		for _, v := range tr.Vars {
			vals = append(vals, v.Draws[c][d]...)
		}
		for i, x := range vals {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
		w.WriteByte('\n')
	}
	for d := 0; d < nw; d++ {
		row(t.Warmup, d)
	}
	t.writeStanAdaptation(w, c, nd)
	for d := 0; d < nd; d++ {
		row(t, d)
	}
	ws, ss := 0.0, 0.0
	if c < len(t.WarmupSeconds) {
		ws, ss = t.WarmupSeconds[c], t.SamplingSeconds[c]
	}
	fmt.Fprintf(w, "# \n#  Elapsed Time: %g seconds (Warm-up)\n#                %g seconds (Sampling)\n#                %g seconds (Total)\n# \n", ws, ss, ws+ss)
	if err := w.Flush(); err != nil {
		f.Close()
		return &Error{Op: "WriteStanCSV", Msg: err.Error()}
	}
	return f.Close()
}

// writeStanConfig writes CmdStan's configuration comments with what was run: the numbers of
// draws, the seed, the sampler (algorithm and engine) and its settings. Settings a trace does
// not know (read from a file) are written as CmdStan's defaults, marked "(Default)".
func (t *Trace) writeStanConfig(w *bufio.Writer, c int, path string, nd, nw int) {
	st := t.Settings
	known := st.Draws > 0
	val := func(v any, def any) string {
		if !known {
			return fmt.Sprintf("%v (Default)", def)
		}
		return fmt.Sprint(v)
	}
	save := 0
	if nw > 0 {
		save = 1
	}
	numWarmup := nw // rstan splits the rows with num_warmup when they are saved
	if known && nw == 0 {
		numWarmup = st.Tune
	}
	sampler := strings.ReplaceAll(t.Sampler, "\n", " ")
	engine := ""
	switch {
	case strings.HasPrefix(t.Sampler, "NUTS"):
		engine = "nuts"
	case strings.HasPrefix(t.Sampler, "HMC"):
		engine = "static"
	}
	metric := "diag_e"
	if st.Metric == "dense" {
		metric = "dense_e"
	}
	fmt.Fprintf(w, "# stan_version_major = 2\n# stan_version_minor = 21\n# stan_version_patch = 0\n")
	fmt.Fprintf(w, "# model = gopm_model\n# method = sample (Default)\n#   sample\n#     num_samples = %d\n#     num_warmup = %d\n#     save_warmup = %d\n#     thin = 1 (Default)\n", nd, numWarmup, save)
	fmt.Fprintf(w, "#     adapt\n#       engaged = 1 (Default)\n#       gamma = 0.05 (Default)\n#       delta = %s\n#       kappa = 0.75 (Default)\n#       t0 = 10 (Default)\n"+
		"#       init_buffer = 75 (Default)\n#       term_buffer = 50 (Default)\n#       window = 25 (Default)\n", val(st.TargetAccept, 0.8))
	fmt.Fprintf(w, "#     algorithm = hmc (Default)\n#       hmc\n")
	switch engine {
	case "nuts":
		fmt.Fprintf(w, "#         engine = nuts\n#           nuts\n#             max_depth = %s\n", val(st.MaxTreeDepth, 10))
	case "static":
		fmt.Fprintf(w, "#         engine = static\n#           static\n#             int_time = 6.28319 (Default)\n")
	default:
		// CmdStan has no Metropolis, slice or compound sampler: keep the fields its readers
		// need and say what really ran.
		fmt.Fprintf(w, "#         engine = nuts (Default)\n#           nuts\n#             max_depth = %s\n", val(st.MaxTreeDepth, 10))
		fmt.Fprintf(w, "# note: not a CmdStan sampler; gopm ran %s\n", sampler)
	}
	fmt.Fprintf(w, "#         metric = %s\n#         metric_file =  (Default)\n#         stepsize = 1 (Default)\n#         stepsize_jitter = 0 (Default)\n", metric)
	if known {
		fmt.Fprintf(w, "#     num_chains = 1 (Default)\n")
	}
	fmt.Fprintf(w, "# id = %d\n# data\n#   file =  (Default)\n# init = 2 (Default)\n# random\n#   seed = %s\n# output\n#   file = %s\n"+
		"#   diagnostic_file =  (Default)\n#   refresh = 100 (Default)\n", c+1, val(st.Seed, 0), path)
	fmt.Fprintf(w, "# generated by gopm; sampler: %s", sampler)
	switch st.Metric {
	case "grad":
		fmt.Fprintf(w, "; metric adaptation: grad (diagonal)")
	case "lowrank":
		fmt.Fprintf(w, "; metric adaptation: lowrank (the inverse metric below is the diagonal of the low-rank modified one)")
	}
	if st.Method != "" {
		fmt.Fprintf(w, "; method: %s", st.Method)
	}
	fmt.Fprintf(w, "\n")
}

// writeStanAdaptation writes CmdStan's adaptation comments: the adapted step size and the
// inverse metric (its diagonal on one line, or the dense matrix one row a line).
func (t *Trace) writeStanAdaptation(w *bufio.Writer, c, nd int) {
	step := at(t.Stats.StepSize, c, nd-1)
	if c < len(t.StepSize) && t.StepSize[c] > 0 {
		step = t.StepSize[c]
	}
	fmt.Fprintf(w, "# Adaptation terminated\n# Step size = %s\n", strconv.FormatFloat(step, 'g', -1, 64))
	var inv []float64
	if c < len(t.InvMetric) {
		inv = t.InvMetric[c]
	}
	row := func(x []float64) {
		w.WriteString("# ")
		for i, v := range x {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		w.WriteByte('\n')
	}
	switch {
	case inv == nil:
		fmt.Fprintf(w, "# Diagonal elements of inverse mass matrix:\n# (none: the sampler has no mass matrix)\n")
	case t.Settings.Metric == "dense":
		n := int(math.Round(math.Sqrt(float64(len(inv)))))
		fmt.Fprintf(w, "# Elements of inverse mass matrix:\n")
		for i := 0; i < n; i++ {
			row(inv[i*n : (i+1)*n])
		}
	default:
		fmt.Fprintf(w, "# Diagonal elements of inverse mass matrix:\n")
		row(inv)
	}
}

func at(x [][]float64, c, d int) float64 {
	if c < len(x) && d < len(x[c]) {
		return x[c][d]
	}
	return 0
}

func atInt(x [][]int, c, d int) int {
	if c < len(x) && d < len(x[c]) {
		return x[c][d]
	}
	return 0
}

func atBool(x [][]bool, c, d int) bool { return c < len(x) && d < len(x[c]) && x[c][d] }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ReadStanCSV reads CmdStan output files (one per chain, as WriteStanCSV or CmdStan write
// them) into a trace: sampler columns become the statistics, other columns are grouped into
// variables by their name before the first dot, with shapes from the largest indices.
// Warm-up rows (save_warmup = 1) go to Trace.Warmup.
func ReadStanCSV(paths ...string) (*Trace, error) {
	if len(paths) == 0 {
		return nil, &Error{Op: "ReadStanCSV", Msg: "no files"}
	}
	tr := &Trace{}
	var layout []csvVar
	for c, p := range paths {
		header, warm, draws, meta, err := readStanFile(p)
		if err != nil {
			return nil, err
		}
		if err := checkStanColumns(p, header); err != nil {
			return nil, err
		}
		lay := layoutOf(header)
		if c == 0 {
			layout = lay
			for _, v := range layout {
				if v.stat {
					continue
				}
				tr.Vars = append(tr.Vars, &TraceVar{Name: v.name, Shape: v.shape, Draws: make([][][]float64, len(paths))})
			}
			tr.Sampler = meta
		} else if len(lay) != len(layout) {
			return nil, &Error{Op: "ReadStanCSV", Msg: fmt.Sprintf("%s has different columns from %s", p, paths[0])}
		}
		fill := func(dst *Trace, rows [][]float64) {
			dst.Stats.Lp = append(dst.Stats.Lp, nil)
			dst.Stats.Acceptance = append(dst.Stats.Acceptance, nil)
			dst.Stats.StepSize = append(dst.Stats.StepSize, nil)
			dst.Stats.TreeDepth = append(dst.Stats.TreeDepth, nil)
			dst.Stats.NSteps = append(dst.Stats.NSteps, nil)
			dst.Stats.Diverging = append(dst.Stats.Diverging, nil)
			dst.Stats.Energy = append(dst.Stats.Energy, nil)
			k := len(dst.Stats.Lp) - 1
			for _, r := range rows {
				vi := 0
				for _, v := range layout {
					if v.stat {
						x := r[v.cols[0]]
						switch v.name {
						case "lp__":
							dst.Stats.Lp[k] = append(dst.Stats.Lp[k], x)
						case "accept_stat__":
							dst.Stats.Acceptance[k] = append(dst.Stats.Acceptance[k], x)
						case "stepsize__":
							dst.Stats.StepSize[k] = append(dst.Stats.StepSize[k], x)
						case "treedepth__":
							dst.Stats.TreeDepth[k] = append(dst.Stats.TreeDepth[k], int(x))
						case "n_leapfrog__":
							dst.Stats.NSteps[k] = append(dst.Stats.NSteps[k], int(x))
						case "divergent__":
							dst.Stats.Diverging[k] = append(dst.Stats.Diverging[k], x != 0)
						case "energy__":
							dst.Stats.Energy[k] = append(dst.Stats.Energy[k], x)
						}
						continue
					}
					vals := make([]float64, len(v.cols))
					for j, col := range v.cols {
						vals[j] = r[col]
					}
					dst.Vars[vi].Draws[k] = append(dst.Vars[vi].Draws[k], vals)
					vi++
				}
			}
		}
		fill(tr, draws)
		if len(warm) > 0 {
			if tr.Warmup == nil {
				tr.Warmup = &Trace{}
				for _, v := range tr.Vars {
					tr.Warmup.Vars = append(tr.Warmup.Vars, &TraceVar{Name: v.Name, Shape: v.Shape, Draws: make([][][]float64, len(paths))})
				}
			}
			fill(tr.Warmup, warm)
		}
	}
	return tr, nil
}

// checkStanColumns refuses a CSV file without the columns every CmdStan sampler writes (a
// StreamTo file, a data table), naming the missing ones.
func checkStanColumns(path string, header []string) error {
	var missing []string
	for _, want := range stanStats[:2] {
		found := false
		for _, h := range header {
			found = found || h == want
		}
		if !found {
			missing = append(missing, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	shown := header
	if len(shown) > 8 {
		shown = append(append([]string{}, shown[:8]...), fmt.Sprintf("... (%d more)", len(header)-8))
	}
	msg := fmt.Sprintf("%s is not a Stan CSV file: it has no column %s (its columns: %s)", path, strings.Join(missing, ", "), strings.Join(shown, ", "))
	if len(header) >= 2 && header[0] == "chain" && header[1] == "draw" {
		msg += "; it looks like a StreamTo file, which is a plain CSV table (one row per draw)"
	}
	return &Error{Op: "ReadStanCSV", Msg: msg}
}

type csvVar struct {
	name  string
	shape []int
	cols  []int // column of each element, row-major
	stat  bool
}

// layoutOf groups header columns into variables.
func layoutOf(header []string) []csvVar {
	var out []csvVar
	idx := map[string]int{}
	type elem struct {
		ix  []int
		col int
	}
	elems := map[string][]elem{}
	for col, h := range header {
		if strings.HasSuffix(h, "__") {
			out = append(out, csvVar{name: h, cols: []int{col}, stat: true})
			continue
		}
		parts := strings.Split(h, ".")
		name := parts[0]
		if _, ok := idx[name]; !ok {
			idx[name] = len(out)
			out = append(out, csvVar{name: name})
		}
		var ix []int
		for _, p := range parts[1:] {
			n, err := strconv.Atoi(p)
			if err != nil {
				ix = nil
				break
			}
			ix = append(ix, n-1)
		}
		elems[name] = append(elems[name], elem{ix, col})
	}
	for i := range out {
		v := &out[i]
		if v.stat {
			continue
		}
		es := elems[v.name]
		if len(es) == 1 && len(es[0].ix) == 0 {
			v.cols = []int{es[0].col}
			continue
		}
		nd := len(es[0].ix)
		v.shape = make([]int, nd)
		for _, e := range es {
			for k, x := range e.ix {
				if k < nd && x+1 > v.shape[k] {
					v.shape[k] = x + 1
				}
			}
		}
		sort.SliceStable(es, func(a, b int) bool {
			for k := range es[a].ix {
				if es[a].ix[k] != es[b].ix[k] {
					return es[a].ix[k] < es[b].ix[k]
				}
			}
			return false
		})
		for _, e := range es {
			v.cols = append(v.cols, e.col)
		}
	}
	return out
}

func readStanFile(path string) (header []string, warm, draws [][]float64, meta string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, "", &Error{Op: "ReadStanCSV", Msg: err.Error()}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	adapted := false
	saveWarmup := false
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "#") {
			c := strings.TrimSpace(strings.TrimPrefix(s, "#"))
			switch {
			case strings.HasPrefix(c, "Adaptation terminated"):
				adapted = true
			case strings.HasPrefix(c, "save_warmup = 1") || strings.HasPrefix(c, "save_warmup = true"):
				saveWarmup = true
			case strings.HasPrefix(c, "generated by gopm; sampler: "):
				meta = strings.TrimPrefix(c, "generated by gopm; sampler: ")
			}
			continue
		}
		if header == nil {
			header = strings.Split(s, ",")
			continue
		}
		fields := strings.Split(s, ",")
		if len(fields) != len(header) {
			return nil, nil, nil, "", &Error{Op: "ReadStanCSV", Msg: fmt.Sprintf("%s:%d has %d values but the header has %d columns", path, line, len(fields), len(header))}
		}
		row := make([]float64, len(fields))
		for i, x := range fields {
			v, perr := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if perr != nil {
				return nil, nil, nil, "", &Error{Op: "ReadStanCSV", Msg: fmt.Sprintf("%s:%d column %s: %v", path, line, header[i], perr)}
			}
			row[i] = v
		}
		if saveWarmup && !adapted {
			warm = append(warm, row)
		} else {
			draws = append(draws, row)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, "", &Error{Op: "ReadStanCSV", Msg: err.Error()}
	}
	if header == nil {
		return nil, nil, nil, "", &Error{Op: "ReadStanCSV", Msg: path + " has no header line"}
	}
	return header, warm, draws, meta, nil
}

// jsonFloat encodes NaN and infinities as strings, which JSON has no numbers for.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = jsonFloat(math.NaN())
	case `"Infinity"`:
		*f = jsonFloat(math.Inf(1))
	case `"-Infinity"`:
		*f = jsonFloat(math.Inf(-1))
	default:
		v, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return err
		}
		*f = jsonFloat(v)
	}
	return nil
}

type jsonVar struct {
	Name     string          `json:"name"`
	Shape    []int           `json:"shape"`
	Discrete bool            `json:"discrete,omitempty"`
	Draws    [][][]jsonFloat `json:"draws"`
}

type jsonTrace struct {
	Format          string                 `json:"format"`
	Vars            []jsonVar              `json:"vars"`
	Stats           map[string][][]float64 `json:"stats"`
	Diverging       [][]bool               `json:"diverging"`
	Sampler         string                 `json:"sampler"`
	Warnings        []string               `json:"warnings"`
	Cancelled       bool                   `json:"cancelled,omitempty"`
	GradEvals       []int64                `json:"grad_evals"`
	WarmupSeconds   []float64              `json:"warmup_seconds"`
	SamplingSeconds []float64              `json:"sampling_seconds"`
	Backend         string                 `json:"backend"`
	Warmup          *jsonTrace             `json:"warmup,omitempty"`
	LogLikelihood   []jsonVar              `json:"log_likelihood,omitempty"`
	Observed        map[string][]jsonFloat `json:"observed_data,omitempty"`
	Settings        *SampleSettings        `json:"settings,omitempty"`
	StepSize        []float64              `json:"adapted_step_size,omitempty"`
	InvMetric       [][]float64            `json:"inv_metric,omitempty"`
}

func toJSONFloats(x []float64) []jsonFloat {
	out := make([]jsonFloat, len(x))
	for i, e := range x {
		out[i] = jsonFloat(e)
	}
	return out
}

func fromJSONFloats(x []jsonFloat) []float64 {
	out := make([]float64, len(x))
	for i, e := range x {
		out[i] = float64(e)
	}
	return out
}

func toJSONVar(v *TraceVar) jsonVar {
	jv := jsonVar{Name: v.Name, Shape: v.Shape, Discrete: v.Discrete, Draws: make([][][]jsonFloat, len(v.Draws))}
	for c, ch := range v.Draws {
		jv.Draws[c] = make([][]jsonFloat, len(ch))
		for d, x := range ch {
			jv.Draws[c][d] = toJSONFloats(x)
		}
	}
	return jv
}

func fromJSONVar(jv jsonVar) *TraceVar {
	v := &TraceVar{Name: jv.Name, Shape: jv.Shape, Discrete: jv.Discrete, Draws: make([][][]float64, len(jv.Draws))}
	for c, ch := range jv.Draws {
		v.Draws[c] = make([][]float64, len(ch))
		for d, x := range ch {
			v.Draws[c][d] = fromJSONFloats(x)
		}
	}
	return v
}

const jsonFormat = "gopm-trace/1"

func (t *Trace) toJSON() *jsonTrace {
	j := &jsonTrace{Format: jsonFormat, Sampler: t.Sampler, Warnings: t.Warnings, Cancelled: t.Cancelled,
		GradEvals: t.GradEvals, WarmupSeconds: t.WarmupSeconds, SamplingSeconds: t.SamplingSeconds, Backend: t.Backend,
		Diverging: t.Stats.Diverging, Stats: map[string][][]float64{}, StepSize: t.StepSize, InvMetric: t.InvMetric}
	if t.Settings != (SampleSettings{}) {
		j.Settings = &t.Settings
	}
	for _, v := range t.Vars {
		j.Vars = append(j.Vars, toJSONVar(v))
	}
	for _, v := range t.LogLikelihood {
		j.LogLikelihood = append(j.LogLikelihood, toJSONVar(v))
	}
	if len(t.ObservedData) > 0 {
		j.Observed = map[string][]jsonFloat{}
		for k, x := range t.ObservedData {
			j.Observed[k] = toJSONFloats(x)
		}
	}
	ints := func(x [][]int) [][]float64 {
		out := make([][]float64, len(x))
		for c, r := range x {
			out[c] = make([]float64, len(r))
			for d, v := range r {
				out[c][d] = float64(v)
			}
		}
		return out
	}
	finite := func(x [][]float64) [][]float64 { // stats are finite except in odd corners
		out := make([][]float64, len(x))
		for c, r := range x {
			out[c] = make([]float64, len(r))
			for d, v := range r {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					v = 0
				}
				out[c][d] = v
			}
		}
		return out
	}
	st := t.Stats
	j.Stats["lp"], j.Stats["energy"], j.Stats["energy_error"] = finite(st.Lp), finite(st.Energy), finite(st.EnergyError)
	j.Stats["tree_depth"], j.Stats["n_steps"] = ints(st.TreeDepth), ints(st.NSteps)
	j.Stats["step_size"], j.Stats["acceptance"], j.Stats["max_energy_error"] = finite(st.StepSize), finite(st.Acceptance), finite(st.MaxEnergyError)
	if t.Warmup != nil {
		j.Warmup = t.Warmup.toJSON()
	}
	return j
}

func fromJSON(j *jsonTrace) *Trace {
	t := &Trace{Sampler: j.Sampler, Warnings: j.Warnings, Cancelled: j.Cancelled, GradEvals: j.GradEvals,
		WarmupSeconds: j.WarmupSeconds, SamplingSeconds: j.SamplingSeconds, Backend: j.Backend}
	for _, jv := range j.Vars {
		t.Vars = append(t.Vars, fromJSONVar(jv))
	}
	for _, jv := range j.LogLikelihood {
		t.LogLikelihood = append(t.LogLikelihood, fromJSONVar(jv))
	}
	if len(j.Observed) > 0 {
		t.ObservedData = map[string][]float64{}
		for k, x := range j.Observed {
			t.ObservedData[k] = fromJSONFloats(x)
		}
	}
	ints := func(x [][]float64) [][]int {
		out := make([][]int, len(x))
		for c, r := range x {
			out[c] = make([]int, len(r))
			for d, v := range r {
				out[c][d] = int(v)
			}
		}
		return out
	}
	t.Stats = SampleStats{Lp: j.Stats["lp"], Diverging: j.Diverging, Energy: j.Stats["energy"], EnergyError: j.Stats["energy_error"],
		TreeDepth: ints(j.Stats["tree_depth"]), NSteps: ints(j.Stats["n_steps"]), StepSize: j.Stats["step_size"],
		Acceptance: j.Stats["acceptance"], MaxEnergyError: j.Stats["max_energy_error"]}
	if j.Warmup != nil {
		t.Warmup = fromJSON(j.Warmup)
	}
	if j.Settings != nil {
		t.Settings = *j.Settings
	}
	t.StepSize, t.InvMetric = j.StepSize, j.InvMetric
	return t
}

// SaveJSON writes the trace (draws, statistics, warm-up, sampler, warnings, and the pointwise
// log-likelihood with the observed data if computed) as JSON.
func (t *Trace) SaveJSON(path string) error {
	b, err := json.Marshal(t.toJSON())
	if err != nil {
		return &Error{Op: "SaveJSON", Msg: err.Error()}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return &Error{Op: "SaveJSON", Msg: err.Error()}
	}
	return nil
}

// LoadJSON reads a trace written by SaveJSON.
func LoadJSON(path string) (*Trace, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "LoadJSON", Msg: err.Error()}
	}
	var j jsonTrace
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, &Error{Op: "LoadJSON", Msg: fmt.Sprintf("%s: %v", path, err)}
	}
	if j.Format != jsonFormat {
		return nil, &Error{Op: "LoadJSON", Msg: fmt.Sprintf("%s is not a gopm trace (format %q)", path, j.Format)}
	}
	return fromJSON(&j), nil
}
