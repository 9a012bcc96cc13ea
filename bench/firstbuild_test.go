package bench

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpuSampler samples /proc/stat while a build runs: the share of all
// cores' time spent busy (not idle or waiting for I/O) over the run.
type cpuSampler struct{ start cpuTimes }

type cpuTimes struct{ busy, total uint64 }

func readCPU() cpuTimes {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return cpuTimes{}
	}
	// cpu user nice system idle iowait irq softirq steal ...
	var t cpuTimes
	for i, field := range strings.Fields(sc.Text())[1:] {
		v, _ := strconv.ParseUint(field, 10, 64)
		t.total += v
		if i != 3 && i != 4 {
			t.busy += v
		}
	}
	return t
}

func startCPU() *cpuSampler { return &cpuSampler{start: readCPU()} }

// busy is the busy share of all cores since startCPU, in percent.
func (s *cpuSampler) busy() float64 {
	end := readCPU()
	if end.total == s.start.total {
		return 0
	}
	return 100 * float64(end.busy-s.start.busy) / float64(end.total-s.start.total)
}

var (
	stepName = regexp.MustCompile(`(?m)^#(\d+) \[?([^\n]*?)\]?$`)
	stepDone = regexp.MustCompile(`(?m)^#(\d+) DONE (\d+\.\d+)s$`)
)

// slowestSteps reads a --progress plain log and names the n steps that
// took longest, with their seconds.
func slowestSteps(log string, n int) []string {
	names := map[string]string{}
	for _, m := range stepName.FindAllStringSubmatch(log, -1) {
		if _, ok := names[m[1]]; !ok && !strings.HasPrefix(m[2], "DONE") && !strings.HasPrefix(m[2], "CACHED") {
			names[m[1]] = m[2]
		}
	}
	type step struct {
		name string
		secs float64
	}
	var steps []step
	for _, m := range stepDone.FindAllStringSubmatch(log, -1) {
		s, _ := strconv.ParseFloat(m[2], 64)
		steps = append(steps, step{names[m[1]], s})
	}
	sort.Slice(steps, func(i, k int) bool { return steps[i].secs > steps[k].secs })
	var out []string
	for i := 0; i < n && i < len(steps); i++ {
		out = append(out, fmt.Sprintf("%6.1fs  %s", steps[i].secs, steps[i].name))
	}
	return out
}

// firstBuildReport prints a cold build's figures against the goal.
func firstBuildReport(d time.Duration, busy float64, summary, log string) {
	fmt.Printf("first build: cold build of the examples for every target on an empty daemon %.1fs (goal <= 60s), cores %.0f%% busy (goal >= 85%%) [%s]\n",
		d.Seconds(), busy, summary)
	fmt.Println("first build: slowest steps:")
	for _, s := range slowestSteps(log, 12) {
		fmt.Println("  " + s)
	}
}

// TestSlowestSteps: step names and durations pair up by step number.
func TestSlowestSteps(t *testing.T) {
	log := "#1 [internal] load metadata\n#1 DONE 0.5s\n\n#2 greet [x86_64] build\n#2 0.101 cc -o greet\n#2 DONE 12.0s\n\n#3 toolchain x86_64: install gcc\n#3 CACHED\n#4 unpacker: install bzip2\n#4 DONE 30.25s\n"
	got := strings.Join(slowestSteps(log, 2), "\n")
	if want := "  30.2s  unpacker: install bzip2\n  12.0s  greet [x86_64] build"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
