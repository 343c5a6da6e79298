package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is the error of CreateNew and MkdirNew when something (a file, a
// directory, a link) is already at the path (errors.Is matches it).
var ErrExists = errors.New("already exists")

// CreateNew writes path with write's output only if nothing is there: never
// replacing, never following a link. Evidence is written this way: a file
// once in a bundle is never overwritten. The content goes to a temporary file
// first and is linked into place when complete (link(2) fails on any existing
// entry, a dangling link included), so the name never holds a partial file.
func CreateNew(path string, perm fs.FileMode, write func(io.Writer) error) error {
	f, err := create(filepath.Dir(path), perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w (tenantgate never overwrites it)", path, ErrExists)
		}
		return err
	}
	return nil
}

// MkdirNew creates the directory path with perm; an existing entry (even an
// empty directory or a link) is ErrExists.
func MkdirNew(path string, perm fs.FileMode) error {
	if err := os.Mkdir(path, perm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		return err
	}
	// Mkdir applies the umask, which can only remove bits; chmod makes the
	// permissions exactly perm (0700 for evidence).
	return os.Chmod(path, perm)
}

// RealDir checks that path is a directory itself, not a link to one: files
// are later created inside it by name, and a link swapped in for a bundle's
// directory would send them elsewhere.
func RealDir(path string) error {
	st, err := os.Lstat(path)
	switch {
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; tenantgate does not write through links: %w", path, ErrNotRegular)
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a directory: %w", path, ErrNotRegular)
	}
	return nil
}

// OpenAppend opens path for appending (created with perm when absent),
// refusing a link and anything but a regular file: for a run's journal.
func OpenAppend(path string, perm fs.FileMode) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s exists and is not a regular file: %w", path, ErrNotRegular)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|oNoFollow, perm)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file: %w", path, ErrNotRegular)
	}
	return f, nil
}
