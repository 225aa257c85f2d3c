package kernel

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gopm-dev/gopm/repl"
)

// specialCommands runs the gophernotes cell commands found at the start of lines
// (%cd DIR, %help, $ shell command) in order, and returns the remaining Go code with
// those lines blanked so that positions in errors keep their line numbers.
func (k *Kernel) specialCommands(code string) (string, error) {
	lines := strings.Split(code, "\n")
	depth := 0 // only lines outside brackets (a "$" in a string literal spanning lines is rare)
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if depth == 0 && (strings.HasPrefix(t, "%") || strings.HasPrefix(t, "$")) {
			lines[i] = ""
			if err := k.command(t, i+1); err != nil {
				return "", err
			}
			continue
		}
		depth += strings.Count(line, "{") + strings.Count(line, "(") - strings.Count(line, "}") - strings.Count(line, ")")
	}
	return strings.Join(lines, "\n"), nil
}

// helpText is what %help shows.
const helpText = `gopm kernel: Go cells run by the yaegi interpreter, with gopm preloaded.

Cell commands (at the start of a line):
  %cd [DIR]     change the working directory (home without DIR)
  %help         this help
  $ CMD         run CMD with sh -c; its output appears in the cell

Display (gophernotes-compatible):
  Display(display.HTML("<b>hi</b>"))   show a bundle now, mid-cell
  display.PNG(b), display.SVG(s), display.Markdown(s), display.Latex(s), display.Math(s),
  display.JSON(m), display.JavaScript(s), display.JPEG(b), display.PDF(b), display.Image(img),
  display.File(mime, path), display.Any(mime, v), display.Auto(v), display.MakeData(mime, v),
  display.MakeData3(mime, text, v), display.MIME(data, metadata)
  A cell's last value is shown richly when it is a display.Data, an image.Image, or has
  HTML(), PNG(), SVG(), Markdown(), Latex(), JSON(), JPEG(), PDF(), JavaScript(),
  Render() or SimpleRender() methods: pm.Summary is a table, figures are PNG images,
  a *pm.Model is its graph, a *pm.Trace an overview.

Keys: Tab completes, Shift-Tab shows documentation, the stop button (or Ctrl-C in a
console) interrupts; an interrupted sampler keeps the draws made so far.
`

func (k *Kernel) command(t string, line int) error {
	pos := repl.Pos{File: "command", Line: line}
	switch {
	case strings.HasPrefix(t, "$"):
		return k.shellCommand(strings.TrimSpace(t[1:]), pos)
	case t == "%help":
		k.stream("stdout", helpText)
		return nil
	case t == "%cd" || strings.HasPrefix(t, "%cd ") || strings.HasPrefix(t, "%cd\t"):
		dir := strings.TrimSpace(strings.TrimPrefix(t, "%cd"))
		if dir == "" || dir == "~" {
			h, err := os.UserHomeDir()
			if err != nil {
				return &repl.Error{Pos: pos, Kind: repl.CompileError, Msg: "%cd: " + err.Error()}
			}
			dir = h
		} else if strings.HasPrefix(dir, "~/") {
			if h, err := os.UserHomeDir(); err == nil {
				dir = h + dir[1:]
			}
		}
		if err := os.Chdir(dir); err != nil {
			return &repl.Error{Pos: pos, Kind: repl.CompileError, Msg: "%cd: " + err.Error()}
		}
		wd, _ := os.Getwd()
		k.stream("stdout", wd+"\n")
		return nil
	}
	return &repl.Error{Pos: pos, Kind: repl.CompileError, Msg: fmt.Sprintf("unknown cell command %q (%%help lists them)", strings.Fields(t)[0])}
}

// shellCommand runs cmd with sh -c, streaming its output into the cell; an interrupt
// kills it.
func (k *Kernel) shellCommand(cmd string, pos repl.Pos) error {
	if cmd == "" {
		return &repl.Error{Pos: pos, Kind: repl.CompileError, Msg: "$: no command"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	k.cmdCancel = cancel
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cmdCancel = nil
		k.mu.Unlock()
		cancel()
	}()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdout = streamTo{k, "stdout"}
	c.Stderr = streamTo{k, "stderr"}
	err := c.Run()
	if ctx.Err() != nil {
		return &repl.Error{Pos: pos, Kind: repl.InterruptError, Msg: "interrupted: " + cmd}
	}
	if err != nil {
		return &repl.Error{Pos: pos, Kind: repl.PanicError, Msg: fmt.Sprintf("$ %s: %v", cmd, err)}
	}
	return nil
}

// stream publishes text on a stream of the running cell.
func (k *Kernel) stream(name, text string) {
	k.mu.Lock()
	parent, silent := k.cur, k.silent
	k.mu.Unlock()
	if parent != nil && !silent {
		k.publish(parent, "stream", map[string]string{"name": name, "text": text})
	}
}

type streamTo struct {
	k    *Kernel
	name string
}

func (s streamTo) Write(p []byte) (int, error) {
	s.k.stream(s.name, string(p))
	return len(p), nil
}
