package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// hangingLive answers like a collector whose requests hang until the
// deadline: the sources it had not read by then come back failed with the
// context's error, the others read.
type hangingLive struct{}

func (hangingLive) Collect(ctx context.Context, _ conn.Options, _ []string) (*snapshot.Snapshot, error) {
	<-ctx.Done()
	s, err := demo.Snapshot()
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"conditionalAccessPolicies", "namedLocations"} {
		delete(s.Data, name)
		s.Sources[name] = snapshot.Source{Status: snapshot.StatusError, Error: ctx.Err().Error()}
	}
	return s, nil
}

func (hangingLive) CAClient(context.Context, conn.Options) (apply.CAClient, error) {
	return nil, errors.New("no CA client")
}

// TestTimeout: --timeout stops a run that hangs: exit 4, saying it timed
// out and what was incomplete; a partial collection is not written, and a
// live audit does not report the cut sources as not_assessed (exit 3).
func TestTimeout(t *testing.T) {
	bl := write(t, "b.yaml", demoBaseline)
	out := filepath.Join(t.TempDir(), "snap.json")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"collect", []string{"collect", "--tenant", "t", "--baseline", bl, "--output", out, "--timeout", "50ms"}},
		{"live audit", []string{"audit", "--tenant", "t", "--baseline", bl, "--timeout", "50ms"}},
		{"live plan", []string{"plan", "--tenant", "t", "--baseline", bl, "--timeout", "50ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := runLive(t, hangingLive{}, tc.args...)
			if code != 4 || !strings.Contains(stderr, "timed out after 50ms (--timeout)") ||
				!strings.Contains(stderr, "sources not read: conditionalAccessPolicies, namedLocations") {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a timed-out run printed results: %.200q", stdout)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Error("a partial snapshot was written")
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
	if code, _, stderr := run(t, "audit", "--demo", "--timeout", "-1s"); code != 2 {
		t.Errorf("negative --timeout: exit %d, %s", code, stderr)
	}
}

// TestConfirmWithinTimeout: apply's prompt waits for the answer no longer
// than the run may take.
func TestConfirmWithinTimeout(t *testing.T) {
	r, w := io.Pipe() // an answer that never comes
	defer w.Close()
	app := &App{Stdin: r, Stdout: io.Discard, Stderr: io.Discard, IsTerminal: func(any) bool { return true }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ok, err := confirm(ctx, app, 1, &apply.Plan{})
	if ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("confirm = %v, %v; want no and the deadline", ok, err)
	}
}
