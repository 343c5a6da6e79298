//go:build unix

package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNeverThroughASymlink: a link planted at the target, to a file or to
// nowhere, is refused for both Write and WriteOutput; its target is not
// touched and no file appears where a dangling link points.
func TestNeverThroughASymlink(t *testing.T) {
	for _, write := range []func(string, os.FileMode, func(io.Writer) error) error{Write, WriteOutput} {
		dir := t.TempDir()
		victim := filepath.Join(dir, "victim")
		if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "report.json")
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
		err := write(link, Shared, text("report"))
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("write through a link: %v", err)
		}
		if got := read(t, victim); got != "precious" {
			t.Errorf("the link's target was written: %q", got)
		}
		dangling := filepath.Join(dir, "dangling.json")
		nowhere := filepath.Join(dir, "created-through-link")
		if err := os.Symlink(nowhere, dangling); err != nil {
			t.Fatal(err)
		}
		if err := write(dangling, Shared, text("report")); !errors.Is(err, ErrNotRegular) {
			t.Errorf("write through a dangling link: %v", err)
		}
		if _, err := os.Lstat(nowhere); !errors.Is(err, os.ErrNotExist) {
			t.Error("a file was created where the dangling link points")
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, ".tenantgate-*"))
		if len(leftovers) > 0 {
			t.Errorf("temporary files left: %v", leftovers)
		}
	}
}

func TestWriteNewAndReplace(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := Write(p, Shared, text("one")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); read(t, p) != "one" || st.Mode().Perm() != 0o644 {
		t.Errorf("new file: %q %v", read(t, p), st.Mode())
	}
	// An existing regular file is replaced and keeps its permissions.
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(p, Shared, text("two")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); read(t, p) != "two" || st.Mode().Perm() != 0o600 {
		t.Errorf("replaced file: %q %v", read(t, p), st.Mode())
	}
	// Private files are the owner's.
	q := filepath.Join(dir, "snap.json")
	if err := Write(q, Private, text("s")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(q); st.Mode().Perm() != 0o600 {
		t.Errorf("private file: %v", st.Mode())
	}
	// A failed write leaves the old file and no temporary file.
	if err := Write(p, Shared, func(w io.Writer) error { io.WriteString(w, "partial"); return errors.New("boom") }); err == nil {
		t.Fatal("no error")
	}
	if read(t, p) != "two" {
		t.Error("a failed write replaced the file")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".tenantgate-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestDevicesAndDirectories(t *testing.T) {
	if err := WriteOutput(os.DevNull, Shared, text("discarded")); err != nil {
		t.Errorf("WriteOutput to %s: %v", os.DevNull, err)
	}
	if err := Write(os.DevNull, Shared, text("x")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Write to a device: %v", err)
	}
	dir := t.TempDir()
	if err := WriteOutput(dir, Shared, text("x")); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("write to a directory: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	if err := Write(fifo, Shared, text("x")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Write to a named pipe planted in a report directory: %v", err)
	}
}
