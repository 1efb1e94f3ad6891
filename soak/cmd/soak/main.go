// Command soak runs Chartside's soak test (`make soak`): see package soak. It prints Markdown
// results on stdout and exits 1 when the run found a problem.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chartside/chartside/soak"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := soak.DefaultConfig()
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Web, "web", "bin/web", "the web binary to run as the server under test")
	fs.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent signed-in clients")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of the run")
	fs.IntVar(&cfg.MaxIterations, "max-iterations", 0, "iterations per client (0: until -duration)")
	fs.DurationVar(&cfg.Think, "think", cfg.Think, "mean pause between a client's iterations")
	fs.DurationVar(&cfg.Latency, "latency", cfg.Latency, "delay the sandbox adds to every upstream request")
	fs.Float64Var(&cfg.FailRate, "fail-rate", cfg.FailRate, "fraction of Observation searches failed on purpose")
	fs.IntVar(&cfg.Patients, "patients", cfg.Patients, "generated sandbox patients")
	fs.DurationVar(&cfg.SampleEvery, "sample", cfg.SampleEvery, "interval of RSS/goroutine samples")
	pgURL := fs.String("postgres", "", "run the server on PostgreSQL: a server URL (postgres://...); the run gets a schema of its own, dropped afterwards")
	logFile := fs.String("server-log", "", "write the server's log (JSON lines) to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	dir, err := os.MkdirTemp("", "chartside-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.Dir = dir
	cfg.Progress = stderr
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.ServerLog = f
	}
	if *pgURL != "" {
		u, drop, err := soak.FreshSchema(ctx, *pgURL)
		if err != nil {
			return err
		}
		defer drop()
		cfg.DatabaseURL = u
	}
	res, err := soak.Run(ctx, cfg)
	if err != nil {
		return err
	}
	soak.Print(stdout, res)
	if problems := soak.Check(res); len(problems) > 0 {
		fmt.Fprintln(stdout, "\nProblems:")
		for _, p := range problems {
			fmt.Fprintln(stdout, "- "+p)
		}
		return fmt.Errorf("soak: %d problems", len(problems))
	}
	fmt.Fprintln(stdout, "\nNo problems: no unexpected errors, every failure explained by an injection, audit trail = PHI views, goroutines settled.")
	return nil
}
