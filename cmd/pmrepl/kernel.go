package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gopm-dev/gopm/kernel"
)

// kernelCommand is "pmrepl kernel": serve a connection file, or install / uninstall
// the kernelspec.
func kernelCommand(args []string) int {
	usage := func() {
		fmt.Fprint(os.Stderr, `usage:
  pmrepl kernel CONNECTION_FILE       run the Jupyter kernel (Jupyter starts it)
  pmrepl kernel install [--user | --prefix DIR | --sys-prefix]
                                      install the "gopm" kernelspec where jupyter kernelspec
                                      install would (system-wide without a flag)
  pmrepl kernel uninstall [--user | --prefix DIR | --sys-prefix]
`)
	}
	if len(args) == 0 {
		usage()
		return 2
	}
	switch args[0] {
	case "install", "uninstall":
		fs := flag.NewFlagSet("pmrepl kernel "+args[0], flag.ContinueOnError)
		user := fs.Bool("user", false, "the current user's Jupyter data directory")
		prefix := fs.String("prefix", "", "PREFIX/share/jupyter/kernels (found with JUPYTER_PATH=PREFIX/share/jupyter)")
		sys := fs.Bool("sys-prefix", false, "the prefix of the Python that runs jupyter")
		fs.Usage = usage
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		n := 0
		for _, b := range []bool{*user, *prefix != "", *sys} {
			if b {
				n++
			}
		}
		if n > 1 || fs.NArg() > 0 {
			fmt.Fprintln(os.Stderr, "pmrepl kernel "+args[0]+": give at most one of --user, --prefix DIR, --sys-prefix")
			return 2
		}
		loc := kernel.Location{User: *user, Prefix: *prefix, SysPrefix: *sys}
		if args[0] == "uninstall" {
			dir, err := kernel.Uninstall(loc)
			if err != nil {
				fmt.Fprintln(os.Stderr, "pmrepl:", err)
				return 1
			}
			fmt.Println("removed the gopm kernelspec from", dir)
			return 0
		}
		bin, err := os.Executable()
		if err == nil {
			bin, err = filepath.EvalSymlinks(bin)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl: cannot find the pmrepl binary:", err)
			return 1
		}
		dir, err := kernel.Install(loc, bin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl:", err)
			return 1
		}
		fmt.Printf("installed the gopm kernelspec in %s (kernel %s)\n", dir, bin)
		return 0
	case "-h", "-help", "--help", "help":
		usage()
		return 0
	}
	if len(args) != 1 {
		usage()
		return 2
	}
	if err := kernel.Run(args[0], kernel.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "pmrepl kernel:", err)
		return 1
	}
	return 0
}
