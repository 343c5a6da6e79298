package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as tenantgate when TG_TEST_MAIN is set, so a test
// can run the real process and send it signals.
func init() {
	if os.Getenv("TG_TEST_MAIN") == "1" {
		os.Args = append([]string{"tenantgate"}, os.Args[len(os.Args)-3:]...)
		main()
	}
}

// SIGTERM stops the emulator like Ctrl-C: it removes the temporary baseline
// it handed out and exits 0.
func TestEmulatorRemovesBaselineOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "emulate", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "TG_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	re := regexp.MustCompile(`--baseline (\S+tenantgate-demo-baseline-\S+\.yaml)`)
	var path string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			path = m[1]
			break
		}
	}
	if path == "" {
		t.Fatal("the emulator printed no --baseline")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("baseline not written: %v", err)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop on SIGTERM")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s still exists after SIGTERM (%v)", path, err)
	}
}
