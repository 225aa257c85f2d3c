// Command pmrepl is gopm's one binary. Today it is the terminal REPL and
// the script runner:
//
//	pmrepl                 interactive prompt (stdin a terminal)
//	echo 'code' | pmrepl   run standard input as a script, no prompt
//	pmrepl model.go a b    run a file top-level statement by statement
//	                       (or its main function), exit 1 on the first error;
//	                       the script sees os.Args = [model.go a b] and the
//	                       process's environment
//	pmrepl render NB.ipynb execute a notebook headless, write its outputs
//	                       (-o out.ipynb, --html out.html; see render.go)
//	pmrepl kernel FILE     the Jupyter kernel (Jupyter starts it with a connection file)
//	pmrepl kernel install [--user|--prefix DIR|--sys-prefix]   install the "gopm" kernelspec
//	pmrepl kernel uninstall                                      remove it
//
// Flags: -plots DIR (env PMREPL_PLOTS) where images are written,
// -history FILE (env PMREPL_HISTORY, "-" for none) the prompt's history.
//
// Subcommands (such as the Jupyter kernel) are dispatched by name in
// subcommand before any flag is parsed.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/chzyer/readline"

	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia" // users select backends by name: gorgonia, gorgonia-ad
	"github.com/gopm-dev/gopm/repl/term"
)

func main() {
	// yaegi's compiler reports some unsupported code by log.Panic, which
	// the engine recovers and explains; its log line is noise here.
	log.SetOutput(dropLines{w: os.Stderr, suffixes: []string{" nil type\n", " nil reflect type\n"}})
	os.Exit(run(os.Args[1:]))
}

// dropLines writes log lines except those ending in one of suffixes.
type dropLines struct {
	w        io.Writer
	suffixes []string
}

func (d dropLines) Write(p []byte) (int, error) {
	for _, s := range d.suffixes {
		if strings.HasSuffix(string(p), s) {
			return len(p), nil
		}
	}
	return d.w.Write(p)
}

// subcommand returns the handler of a subcommand name, or nil. The
// Jupyter kernel ("kernel") is added here; each handler gets the
// arguments after its name and returns the exit code.
func subcommand(name string) func(args []string) int {
	commands := map[string]func(args []string) int{
		"kernel": kernelCommand, // the Jupyter kernel: serve, install, uninstall
		"render": render,        // execute a notebook headless (render.go)
	}
	return commands[name]
}

func run(args []string) int {
	if len(args) > 0 {
		if cmd := subcommand(args[0]); cmd != nil {
			return cmd(args[1:])
		}
	}
	fs := flag.NewFlagSet("pmrepl", flag.ContinueOnError)
	plots := fs.String("plots", envOr("PMREPL_PLOTS", "pmrepl-plots"), "directory for image outputs (numbered files)")
	history := fs.String("history", os.Getenv("PMREPL_HISTORY"), `history file (default ~/.pmrepl_history, "-" for none)`)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pmrepl [flags] [file.go [args...]]\n\nWithout a file: a prompt on a terminal, else standard input runs as a script.\nA file's arguments reach it as os.Args[1:].")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := term.Config{PlotDir: *plots, HistoryFile: *history}
	switch {
	case fs.NArg() >= 1:
		b, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl:", err)
			return 1
		}
		// The script sees os.Args as a compiled program would: its
		// name, then its arguments.
		cfg.Args = fs.Args()
		if term.RunScript(cfg, fs.Arg(0), string(b)) != nil {
			return 1
		}
		return 0
	case !readline.DefaultIsTerminal():
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl:", err)
			return 1
		}
		if term.RunScript(cfg, "stdin", string(b)) != nil {
			return 1
		}
		return 0
	}
	if err := term.Interactive(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "pmrepl:", err)
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
