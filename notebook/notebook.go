// Package notebook reads, executes and renders Jupyter notebooks (nbformat 4)
// with gopm's evaluation engine (package repl), without Python: it is what
// `pmrepl render` runs, and what keeps the stored outputs of the tutorials in
// notebooks/ current.
//
// Execute runs every code cell of a notebook in one fresh engine session, in
// order, and replaces its outputs with what the cell produced, in nbformat's
// output types: "stream" for standard output and error, "display_data" for
// Display calls, "execute_result" for the value of the cell's last
// expression and "error" for a failed cell. It records in each code cell's
// metadata a hash of the source that produced the outputs
// (metadata.gopm.source_sha256), so Stale can tell when a stored output no
// longer belongs to its cell. HTML renders a notebook as a self-contained
// page (markdown, code, text and images inline).
package notebook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is an nbformat 4 document. Metadata and the fields this package
// does not interpret are kept as they were read.
type Notebook struct {
	Cells         []*Cell
	Metadata      map[string]any
	NBFormat      int
	NBFormatMinor int
}

// Cell is one cell: "code", "markdown" or "raw".
type Cell struct {
	ID       string
	Type     string
	Source   string
	Metadata map[string]any
	// ExecutionCount and Outputs belong to code cells; ExecutionCount 0 is
	// written as null (not executed).
	ExecutionCount int
	Outputs        []Output
	// Attachments of markdown and raw cells, kept as read.
	Attachments map[string]any
}

// Output is one output of a code cell.
type Output struct {
	Type string // "stream", "display_data", "execute_result" or "error"
	// Name and Text for streams ("stdout" or "stderr").
	Name, Text string
	// Data (MIME type to text, or base64 text for binary types, or a JSON
	// value) and Metadata for display_data and execute_result.
	Data, Metadata map[string]any
	// ExecutionCount of an execute_result.
	ExecutionCount int
	// EName, EValue and Traceback of an error.
	EName, EValue string
	Traceback     []string
}

// Read parses the notebook at path.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nb, nil
}

// Parse decodes an nbformat 4 document.
func Parse(b []byte) (*Notebook, error) {
	var raw struct {
		Cells         []map[string]json.RawMessage `json:"cells"`
		Metadata      map[string]any               `json:"metadata"`
		NBFormat      int                          `json:"nbformat"`
		NBFormatMinor int                          `json:"nbformat_minor"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("notebook: not a JSON notebook: %w", err)
	}
	if raw.NBFormat != 4 {
		return nil, fmt.Errorf("notebook: nbformat %d is not supported (want 4)", raw.NBFormat)
	}
	nb := &Notebook{Metadata: raw.Metadata, NBFormat: 4, NBFormatMinor: raw.NBFormatMinor}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	for i, rc := range raw.Cells {
		c, err := parseCell(rc)
		if err != nil {
			return nil, fmt.Errorf("notebook: cell %d: %w", i+1, err)
		}
		nb.Cells = append(nb.Cells, c)
	}
	return nb, nil
}

func parseCell(rc map[string]json.RawMessage) (*Cell, error) {
	c := &Cell{Metadata: map[string]any{}}
	var src any
	fields := []struct {
		key string
		dst any
	}{{"id", &c.ID}, {"cell_type", &c.Type}, {"source", &src}, {"metadata", &c.Metadata}, {"attachments", &c.Attachments}}
	for _, f := range fields {
		if v, ok := rc[f.key]; ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return nil, fmt.Errorf("field %q: %w", f.key, err)
			}
		}
	}
	c.Source = multiline(src)
	if c.Type == "" {
		return nil, fmt.Errorf("no cell_type")
	}
	if c.Metadata == nil {
		c.Metadata = map[string]any{}
	}
	if c.Type != "code" {
		return c, nil
	}
	if v, ok := rc["execution_count"]; ok {
		var n *int
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, fmt.Errorf("execution_count: %w", err)
		}
		if n != nil {
			c.ExecutionCount = *n
		}
	}
	var outs []map[string]any
	if v, ok := rc["outputs"]; ok {
		if err := json.Unmarshal(v, &outs); err != nil {
			return nil, fmt.Errorf("outputs: %w", err)
		}
	}
	for _, o := range outs {
		c.Outputs = append(c.Outputs, parseOutput(o))
	}
	return c, nil
}

func parseOutput(o map[string]any) Output {
	out := Output{}
	out.Type, _ = o["output_type"].(string)
	out.Name, _ = o["name"].(string)
	out.Text = multiline(o["text"])
	if d, ok := o["data"].(map[string]any); ok {
		out.Data = map[string]any{}
		for k, v := range d {
			if strings.HasSuffix(k, "json") {
				out.Data[k] = v
			} else {
				out.Data[k] = multiline(v)
			}
		}
	}
	out.Metadata, _ = o["metadata"].(map[string]any)
	if n, ok := o["execution_count"].(float64); ok {
		out.ExecutionCount = int(n)
	}
	out.EName, _ = o["ename"].(string)
	out.EValue, _ = o["evalue"].(string)
	if tb, ok := o["traceback"].([]any); ok {
		for _, l := range tb {
			s, _ := l.(string)
			out.Traceback = append(out.Traceback, s)
		}
	}
	return out
}

// multiline joins nbformat's "multiline string" (a string or a list of
// strings).
func multiline(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			if s, ok := s.(string); ok {
				b.WriteString(s)
			}
		}
		return b.String()
	}
	return ""
}

// lines splits text as Jupyter stores it: a list of lines, each but the last
// keeping its newline.
func lines(s string) []string {
	out := strings.SplitAfter(s, "\n")
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// Marshal encodes the notebook as Jupyter writes it (one-space indent, sorted
// keys, text as lists of lines, no HTML escaping), so that a notebook saved
// from Jupyter and one written here differ only where their content does.
func (nb *Notebook) Marshal() ([]byte, error) {
	cells := make([]any, len(nb.Cells))
	for i, c := range nb.Cells {
		cells[i] = c.jsonValue()
	}
	minor := nb.NBFormatMinor
	if minor < 5 && nb.hasIDs() {
		minor = 5
	}
	doc := map[string]any{
		"cells":          cells,
		"metadata":       nonNil(nb.Metadata),
		"nbformat":       4,
		"nbformat_minor": minor,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("notebook: encoding: %w", err)
	}
	return buf.Bytes(), nil
}

// Write saves the notebook at path.
func (nb *Notebook) Write(path string) error {
	b, err := nb.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (nb *Notebook) hasIDs() bool {
	for _, c := range nb.Cells {
		if c.ID != "" {
			return true
		}
	}
	return false
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (c *Cell) jsonValue() map[string]any {
	m := map[string]any{
		"cell_type": c.Type,
		"metadata":  nonNil(c.Metadata),
		"source":    lines(c.Source),
	}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if c.Type != "code" {
		if c.Attachments != nil {
			m["attachments"] = c.Attachments
		}
		return m
	}
	m["execution_count"] = count(c.ExecutionCount)
	outs := make([]any, len(c.Outputs))
	for i, o := range c.Outputs {
		outs[i] = o.jsonValue()
	}
	m["outputs"] = outs
	return m
}

func count(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func (o Output) jsonValue() map[string]any {
	m := map[string]any{"output_type": o.Type}
	switch o.Type {
	case "stream":
		m["name"] = o.Name
		m["text"] = lines(o.Text)
	case "display_data", "execute_result":
		data := map[string]any{}
		for k, v := range o.Data {
			if s, ok := v.(string); ok {
				if isBinary(k) {
					data[k] = s // base64, one string as nbformat writes it
				} else {
					data[k] = lines(s)
				}
			} else {
				data[k] = v
			}
		}
		m["data"] = data
		m["metadata"] = nonNil(o.Metadata)
		if o.Type == "execute_result" {
			m["execution_count"] = count(o.ExecutionCount)
		}
	case "error":
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return m
}

// isBinary reports MIME types whose values are base64 text in a notebook.
func isBinary(mime string) bool {
	return strings.HasPrefix(mime, "image/") && mime != "image/svg+xml" || mime == "application/pdf"
}

// SourceHash is the hash recorded for a cell's source when it is executed:
// hex SHA-256 of the source text.
func SourceHash(source string) string {
	h := sha256.Sum256([]byte(source))
	return hex.EncodeToString(h[:])
}

// metaKey is the cell metadata namespace of gopm.
const metaKey = "gopm"

// StoredHash is the source hash recorded in a cell's metadata, or "".
func (c *Cell) StoredHash() string {
	g, _ := c.Metadata[metaKey].(map[string]any)
	s, _ := g["source_sha256"].(string)
	return s
}

func (c *Cell) setHash() {
	g, _ := c.Metadata[metaKey].(map[string]any)
	if g == nil {
		g = map[string]any{}
		c.Metadata[metaKey] = g
	}
	g["source_sha256"] = SourceHash(c.Source)
}

// Stale lists the code cells whose stored outputs do not come from their
// current source: never executed, or edited since (the hash recorded at
// execution differs), or stored with an error output. Each entry names the
// cell by number and its first line. An empty list means the outputs are
// current.
func (nb *Notebook) Stale() []string {
	var out []string
	n := 0
	for _, c := range nb.Cells {
		if c.Type != "code" {
			continue
		}
		n++
		why := ""
		switch {
		case c.ExecutionCount == 0:
			why = "not executed"
		case c.StoredHash() == "":
			why = "no source hash (not executed by pmrepl render)"
		case c.StoredHash() != SourceHash(c.Source):
			why = "source changed since its outputs were stored"
		}
		for _, o := range c.Outputs {
			if o.Type == "error" && why == "" {
				why = "stored output is an error: " + o.EValue
			}
		}
		if why != "" {
			out = append(out, fmt.Sprintf("code cell %d (%s): %s", n, firstLine(c.Source), why))
		}
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// FigureProblems compares an executed notebook with the stored one it was
// made from: every code cell whose stored outputs hold an image/png must
// have one among its new outputs too, and no cell may have an error output.
// It returns one line per problem. CI runs it on notebooks executed by
// Jupyter (nbconvert) to catch a kernel that drops figures.
func FigureProblems(stored, executed *Notebook) []string {
	var out []string
	if len(stored.Cells) != len(executed.Cells) {
		return []string{fmt.Sprintf("the executed notebook has %d cells, the stored one %d", len(executed.Cells), len(stored.Cells))}
	}
	n := 0
	for i, c := range executed.Cells {
		if c.Type != "code" {
			continue
		}
		n++
		for _, o := range c.Outputs {
			if o.Type == "error" {
				out = append(out, fmt.Sprintf("code cell %d (%s): error %s: %s", n, firstLine(c.Source), o.EName, o.EValue))
			}
		}
		if hasPNG(stored.Cells[i]) && !hasPNG(c) {
			out = append(out, fmt.Sprintf("code cell %d (%s): makes a figure but has no image/png output", n, firstLine(c.Source)))
		}
	}
	return out
}

func hasPNG(c *Cell) bool {
	for _, o := range c.Outputs {
		if s, ok := o.Data["image/png"].(string); ok && s != "" {
			return true
		}
	}
	return false
}
