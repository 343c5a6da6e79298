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
	// ... and stay so when they replace a file others could read.
	if err := os.Chmod(q, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(q, Private, text("s2")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(q); read(t, q) != "s2" || st.Mode().Perm() != 0o600 {
		t.Errorf("private file replacing a 0644 one: %v", st.Mode())
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

// TestCreateNew: a file is created new with its permissions and content; an
// existing file, a link to a file and a dangling link are all refused, their
// targets untouched, and no temporary file is left behind.
func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "page.json")
	if err := CreateNew(p, Private, text("one")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != Private {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), Private)
	}
	if err := CreateNew(p, Private, text("two")); !errors.Is(err, ErrExists) {
		t.Errorf("second CreateNew: %v, want ErrExists", err)
	}
	if got := read(t, p); got != "one" {
		t.Errorf("content %q after a refused CreateNew", got)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"link": victim, "dangling": filepath.Join(dir, "nowhere")} {
		l := filepath.Join(dir, name)
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
		if err := CreateNew(l, Private, text("evil")); !errors.Is(err, ErrExists) {
			t.Errorf("%s: %v, want ErrExists", name, err)
		}
	}
	if got := read(t, victim); got != "precious" {
		t.Errorf("victim written through a link: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a file appeared where the dangling link points")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestMkdirNewAndRealDir: a directory is made new with exactly 0700 whatever
// the umask; an existing one or a link is refused; RealDir refuses links.
func TestMkdirNewAndRealDir(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "bundle")
	if err := MkdirNew(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o700 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if err := MkdirNew(p, 0o700); !errors.Is(err, ErrExists) {
		t.Errorf("MkdirNew on an existing directory: %v", err)
	}
	l := filepath.Join(dir, "link")
	if err := os.Symlink(p, l); err != nil {
		t.Fatal(err)
	}
	if err := RealDir(p); err != nil {
		t.Error(err)
	}
	if err := RealDir(l); err == nil {
		t.Error("RealDir accepted a link")
	}
	if _, err := OpenAppend(l, Private); err == nil {
		t.Error("OpenAppend accepted a link to a directory")
	}
	f := filepath.Join(dir, "f")
	_ = os.WriteFile(f, nil, 0o600)
	fl := filepath.Join(dir, "fl")
	_ = os.Symlink(f, fl)
	if _, err := OpenAppend(fl, Private); err == nil {
		t.Error("OpenAppend followed a link to a file")
	}
}
