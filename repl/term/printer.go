package term

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/repl"
)

// imageTypes are the representations written to files, best first, with
// their file extensions.
var imageTypes = []struct{ mime, ext string }{
	{display.MIMETypePNG, ".png"},
	{display.MIMETypeSVG, ".svg"},
	{display.MIMETypeJPEG, ".jpg"},
	{display.MIMETypePDF, ".pdf"},
}

// printer writes a session's outputs on the terminal.
type printer struct {
	mu       sync.Mutex
	out, err io.Writer
	plotDir  string
	next     int // next plot number; 0 until the directory was scanned
}

var plotNameRE = regexp.MustCompile(`^plot-(\d+)\.`)

// nextPlotPath returns a new numbered file name in the plot directory,
// after the numbers already there, so sessions do not overwrite each
// other's figures.
func (p *printer) nextPlotPath(ext string) (string, error) {
	if err := os.MkdirAll(p.plotDir, 0o755); err != nil {
		return "", err
	}
	if p.next == 0 {
		p.next = 1
		entries, _ := os.ReadDir(p.plotDir)
		for _, e := range entries {
			if m := plotNameRE.FindStringSubmatch(e.Name()); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= p.next {
					p.next = n + 1
				}
			}
		}
	}
	path := filepath.Join(p.plotDir, fmt.Sprintf("plot-%03d%s", p.next, ext))
	p.next++
	return path, nil
}

// output prints one live output of a cell.
func (p *printer) output(o repl.Output) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch o.Name {
	case "stdout":
		io.WriteString(p.out, o.Text)
	case "stderr":
		io.WriteString(p.err, o.Text)
	case "display":
		p.bundleLocked(o.Data)
	}
}

// bundle prints a rich value: image representations go to a file whose
// path is printed; otherwise the text/plain representation is printed.
func (p *printer) bundle(d display.Data) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bundleLocked(d)
}

func (p *printer) bundleLocked(d display.Data) {
	for _, it := range imageTypes {
		var b []byte
		switch v := d.Data[it.mime].(type) {
		case []byte:
			b = v
		case string:
			b = []byte(v)
		default:
			continue
		}
		path, err := p.nextPlotPath(it.ext)
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		if err != nil {
			fmt.Fprintf(p.err, "pmrepl: saving %s: %v\n", it.mime, err)
			break
		}
		fmt.Fprintf(p.out, "[%s written to %s]\n", it.mime, path)
		return
	}
	if s, ok := d.Data[display.MIMETypeText].(string); ok && s != "" {
		io.WriteString(p.out, s)
		if !strings.HasSuffix(s, "\n") {
			io.WriteString(p.out, "\n")
		}
	}
}

// error prints a cell error with its panic trace.
func (p *printer) error(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, "error: %v\n", err)
	if e, ok := err.(*repl.Error); ok && len(e.Trace) > 1 {
		for _, f := range e.Trace {
			fmt.Fprintf(p.err, "\tat %s\n", f)
		}
	}
}
