// Package safefile writes tenantgate's output files (snapshots, reports,
// plans, summaries) so that a planted symbolic link can never redirect them
// and a failed run never leaves a truncated file behind.
//
// Every file is written new: to a temporary file created in the target's
// directory with O_CREATE|O_EXCL (which neither follows nor reuses anything
// already at that name), then renamed over the target. rename(2) replaces
// the directory entry itself, so even a symbolic link put at the target
// between the check and the rename is replaced, not followed.
//
// What exists at the target decides:
//   - nothing: the file is created (permissions perm, less the umask);
//   - a regular file: it is replaced, as a CLI's --output normally does, and
//     the new file keeps the old one's permissions (a report a user made
//     private stays private), narrowed to 0600 when perm is Private;
//   - a symbolic link: refused with an error naming it. Writing through a
//     link is what a planted link in a shared report directory would make
//     tenantgate do, and replacing the link would silently break a link the
//     user made on purpose;
//   - a character device or a named pipe (/dev/null, a FIFO): written in
//     place, opened without following links, by WriteOutput only (a path
//     the user typed); Write, for the names tenantgate makes up inside a
//     directory, refuses them like a directory or any other kind of file.
package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Private and Shared are the permissions of a new file: snapshots and plans
// (a tenant's whole configuration) are the owner's alone; reports and
// summaries get the usual permissions under the umask.
const (
	Private fs.FileMode = 0o600
	Shared  fs.FileMode = 0o666
)

// ErrNotRegular is the error for a target that exists and is not a regular
// file (errors.Is matches it).
var ErrNotRegular = errors.New("not a regular file")

// Write writes path new with write's output: for the files tenantgate
// names itself inside a directory (per-tenant reports and snapshots).
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return writeFile(path, perm, false, write)
}

// WriteOutput is Write for a path the user gave (--output): it also writes
// to a character device or a named pipe named directly, such as /dev/null.
func WriteOutput(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return writeFile(path, perm, true, write)
}

func writeFile(path string, perm fs.FileMode, devices bool, write func(io.Writer) error) error {
	mode := perm
	switch st, err := os.Lstat(path); {
	case err == nil && st.Mode().IsRegular():
		// The old file's permissions, never wider than a private file's
		// when perm is private (an incident report replacing a 0644 file
		// is still the owner's alone).
		mode = st.Mode().Perm()
		if perm == Private {
			mode &= Private
		}
	case err == nil && st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; tenantgate does not write through links (remove it, or give the target's path): %w", path, ErrNotRegular)
	case err == nil && devices && st.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return inPlace(path, write)
	case err == nil:
		return fmt.Errorf("%s exists and is a %s: %w", path, kind(st.Mode()), ErrNotRegular)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	f, err := create(filepath.Dir(path), mode)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if mode != perm { // an existing file's permissions, exactly (not less the umask)
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// inPlace writes to an existing device or pipe, refusing a link put there
// since it was checked.
func inPlace(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|oNoFollow, 0)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// create makes a new temporary file in dir: a random name opened with
// O_EXCL, so nothing already there (a link included) is ever opened.
func create(dir string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, ".tenantgate-"+hex.EncodeToString(b[:])+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
