package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Report writes the managed daemon's status, as `kiln daemon status`
// shows it; the error says it does not run.
func (st Status) Report(w io.Writer) error {
	state := "stopped"
	if st.Running {
		state = fmt.Sprintf("running (pid %d)", st.PID)
	}
	fmt.Fprintf(w, "status:    %s\naddress:   %s\n", state, st.Addr)
	st.reportVersion(w)
	fmt.Fprintf(w, "root:      %s\nlog:       %s\n", st.Root, st.LogFile)
	if !st.Running {
		return errors.New("buildkitd is not running")
	}
	return nil
}

func (st Status) reportVersion(w io.Writer) {
	if st.Version != "" {
		fmt.Fprintf(w, "version:   %s\nplatforms: %s\n", st.Version, strings.Join(st.Platforms, ", "))
	}
}

// ReportRemotes contacts each daemon and writes whether it answers, its
// version and platforms; the error names every one that does not.
func ReportRemotes(ctx context.Context, w io.Writer, rs []Remote) error {
	var errs []error
	for _, r := range rs {
		st, err := r.Check(ctx)
		state := "running"
		if err != nil {
			state = "unreachable"
			errs = append(errs, err)
		}
		fmt.Fprintf(w, "address:   %s\nstatus:    %s\n", r.Addr, state)
		st.reportVersion(w)
	}
	return errors.Join(errs...)
}
