package bench

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the numbers were measured.
type Machine struct {
	CPUs      int
	CPUModel  string
	MemoryMiB int64
	GoVersion string
	OS, Arch  string
	// LoadStart and LoadEnd are /proc/loadavg's 1-minute load when the run started and ended: a
	// load above the CPU count means something else was competing for the CPUs.
	LoadStart, LoadEnd string
}

// ReadMachine reads the CPU model and memory from /proc on Linux; elsewhere they stay empty.
func ReadMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	m.LoadStart = LoadAverage()
	if kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		m.MemoryMiB = kb / 1024
	}
	return m
}

// procField returns the first "name: value" line's value in a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// LoadAverage is the 1-minute load average from /proc/loadavg, or "" where there is none.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(b), " ")
	return first
}
