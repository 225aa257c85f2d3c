package term

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chzyer/readline"

	"github.com/gopm-dev/gopm/repl"
)

// Config configures the front-end. Zero values take the defaults.
type Config struct {
	// PlotDir receives image outputs as numbered files; default
	// "pmrepl-plots" in the working directory.
	PlotDir string
	// HistoryFile keeps the prompt's history; default ~/.pmrepl_history,
	// "-" for none.
	HistoryFile string
	// Stdin, Stdout and Stderr default to the process's.
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// Args is os.Args as the interpreted code sees it (a script's name
	// and arguments); nil gives {"pmrepl"}.
	Args []string
}

func (c *Config) defaults() {
	if c.PlotDir == "" {
		c.PlotDir = "pmrepl-plots"
	}
	if c.HistoryFile == "" {
		if home, err := os.UserHomeDir(); err == nil {
			c.HistoryFile = filepath.Join(home, ".pmrepl_history")
		}
	}
	if c.HistoryFile == "-" {
		c.HistoryFile = ""
	}
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
}

// Session is an engine with its terminal printer.
type Session struct {
	Engine *repl.Engine
	pr     *printer
}

// NewSession starts an engine whose outputs print on cfg's streams.
func NewSession(cfg Config) (*Session, error) {
	cfg.defaults()
	pr := &printer{out: cfg.Stdout, err: cfg.Stderr, plotDir: cfg.PlotDir}
	bars := newProgressBars(pr, cfg.Stderr)
	eng, err := repl.New(repl.Options{OnOutput: pr.output, OnProgress: bars.update, Args: cfg.Args})
	if err != nil {
		return nil, err
	}
	return &Session{Engine: eng, pr: pr}, nil
}

// Close ends the session.
func (s *Session) Close() error { return s.Engine.Close() }

// Cell evaluates one interactive cell and prints its outputs, value and
// error.
func (s *Session) Cell(ctx context.Context, code string) error {
	res, err := s.Engine.Eval(ctx, code)
	if err != nil {
		s.pr.error(err)
		return err
	}
	if res.Data != nil {
		s.pr.bundle(*res.Data)
	}
	if res.Interrupted {
		fmt.Fprintln(s.pr.err, "(interrupted: the cell finished with what was computed so far)")
	}
	return nil
}

var mainRE = regexp.MustCompile(`(?m)^func\s+main\s*\(\s*\)`)

// Script runs a file's code: its top-level statements and declarations in
// order, showing the value of each top-level expression statement, then
// main() if the file declares one (a plain `package main` program). It
// stops at the first error, which it prints and returns.
func (s *Session) Script(ctx context.Context, name, code string) error {
	_, err := s.Engine.EvalSource(ctx, repl.Source{Name: name, Code: code, Script: true})
	if loc := mainRE.FindStringIndex(code); err == nil && loc != nil {
		// The call is shown at main's declaration in traces.
		line := 1 + strings.Count(code[:loc[0]], "\n")
		_, err = s.Engine.EvalSource(ctx, repl.Source{Name: name, Line: line, Code: "main()"})
	}
	if err != nil {
		s.pr.error(err)
	}
	return err
}

// RunScript runs a script in a new session; Ctrl-C (SIGINT) interrupts it.
func RunScript(cfg Config, name, code string) error {
	s, err := NewSession(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	stop := interruptOnSignal(s.Engine)
	defer stop()
	return s.Script(context.Background(), name, code)
}

// interruptOnSignal turns SIGINT into Engine.Interrupt while the returned
// stop function is not called. At the prompt the terminal is in raw mode,
// so Ctrl-C reaches readline as a key instead.
func interruptOnSignal(e *repl.Engine) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				e.Interrupt()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

const helpText = `pmrepl: Go with gopm preloaded (pm, plots, display, fmt, math need no import).
Also loaded, to import by path: github.com/gopm-dev/gopm/pm/tensor, .../pm/dist,
.../pm/backend, .../pm/backend/debug, .../pm/step, .../pm/diag, .../pm/gp, gonum.org/v1/gonum/mat
and .../stat, and the standard library. pm.Backends() lists the backends.
Type Go declarations and statements; a cell continues while brackets are open.
The value of a final expression is printed; images are saved as files.
Sample prints the trace's warnings (divergences, R-hat, ESS, BFMI) after it.
  :help            this text
  :doc NAME        documentation of NAME (pm.Sample, fmt.Println, m.Sample)
  :load FILE.go    run a file in this session
  :reset           forget every declaration and variable
  :quit            leave (also Ctrl-D, or Ctrl-C twice on an empty line)
Tab completes names; Ctrl-C interrupts a running cell or clears the line.`

// Interactive runs the prompt until :quit, Ctrl-D or two Ctrl-C on an
// empty line.
func Interactive(cfg Config) error {
	cfg.defaults()
	s, err := NewSession(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	var pending strings.Builder
	rl, err := readline.NewEx(&readline.Config{
		Prompt:            ">>> ",
		HistoryFile:       cfg.HistoryFile,
		HistorySearchFold: true,
		// A cell is saved once complete, as one entry (oneLine).
		DisableAutoSaveHistory: true,
		AutoComplete:           &completer{s: s, pending: &pending},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		Stdin:                  cfg.Stdin,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	stop := interruptOnSignal(s.Engine)
	defer stop()
	fmt.Fprintln(cfg.Stdout, "pmrepl: gopm in Go. :help for help, :quit to leave.")
	ctrlC := 0
	for {
		if pending.Len() == 0 {
			rl.SetPrompt(">>> ")
		} else {
			rl.SetPrompt("... ")
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			if pending.Len() == 0 && strings.TrimSpace(line) == "" {
				ctrlC++
				if ctrlC >= 2 {
					return nil
				}
				fmt.Fprintln(cfg.Stdout, "(Ctrl-C again or Ctrl-D to leave)")
			}
			pending.Reset()
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		ctrlC = 0
		if pending.Len() == 0 && strings.HasPrefix(strings.TrimSpace(line), ":") {
			rl.SaveHistory(strings.TrimSpace(line))
			if s.command(strings.TrimSpace(line), cfg) {
				return nil
			}
			continue
		}
		pending.WriteString(line)
		pending.WriteByte('\n')
		if !repl.IsComplete(pending.String()) {
			continue
		}
		code := pending.String()
		pending.Reset()
		if strings.TrimSpace(code) == "" {
			continue
		}
		entry, _ := oneLine(code)
		rl.SaveHistory(entry)
		s.Cell(context.Background(), code)
	}
}

// command runs a :command and reports whether the session should end.
func (s *Session) command(line string, cfg Config) (quit bool) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ":quit", ":q", ":exit":
		return true
	case ":help", ":h":
		fmt.Fprintln(cfg.Stdout, helpText)
	case ":reset":
		if err := s.Engine.Reset(); err != nil {
			s.pr.error(err)
		} else {
			fmt.Fprintln(cfg.Stdout, "session reset")
		}
	case ":load":
		if arg == "" {
			fmt.Fprintln(cfg.Stderr, "usage: :load FILE.go")
			break
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			fmt.Fprintf(cfg.Stderr, "pmrepl: %v\n", err)
			break
		}
		s.Script(context.Background(), arg, string(b))
	case ":doc":
		d, ok := s.Engine.Inspect(arg, len(arg))
		if !ok {
			msg := fmt.Sprintf("no documentation for %q", arg)
			if near := s.Engine.Suggest(arg); len(near) > 0 {
				msg += "; did you mean " + strings.Join(near, ", ") + "?"
			}
			fmt.Fprintln(cfg.Stderr, msg)
			break
		}
		fmt.Fprintln(cfg.Stdout, d.String())
	default:
		fmt.Fprintf(cfg.Stderr, "unknown command %s (:help lists them)\n", name)
	}
	return false
}

// completer adapts Engine.Complete to readline.
type completer struct {
	s       *Session
	pending *strings.Builder
}

// Do returns the suffixes that complete the identifier before pos.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	prior := c.pending.String()
	text := prior + string(line[:pos])
	matches, start, _ := c.s.Engine.Complete(text, len(text))
	prefix := []rune(text[start:])
	var out [][]rune
	for _, m := range matches {
		out = append(out, []rune(m)[len(prefix):])
	}
	return out, len(prefix)
}
