// Package durable writes the files of the warehouse so that a crash at any
// point leaves either the old file (or directory) or the whole new one:
// write aside, fsync, rename (or swap a directory with RENAME_EXCHANGE),
// fsync the directory. It also holds the modes everything is created with
// (the umask decides who may read) and the JSON state files built on that.
package durable

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Modes the pipeline creates warehouse directories and files with. The
// kernel takes the process umask off them, so the operator's umask decides
// who else may read the warehouse: 0755 directories and 0644 files under the
// usual 022, 0750 and 0640 under 027. Never create warehouse entries with
// os.MkdirTemp or os.CreateTemp: they force 0700 and 0600, and a BI service
// account then finds no files (MkdirUnique and CreateUnique are the
// umask-respecting equivalents).
const (
	DirPerm  os.FileMode = 0o777
	FilePerm os.FileMode = 0o666
)

// uniqueName is pattern with its last "*" replaced by a random string (or
// the random string appended when pattern has no "*"), as os.CreateTemp names.
func uniqueName(dir, pattern string) string {
	suffix := strconv.FormatUint(rand.Uint64(), 36) //nolint:gosec // a unique name, not a secret (O_EXCL catches a clash)
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		return filepath.Join(dir, pattern[:i]+suffix+pattern[i+1:])
	}
	return filepath.Join(dir, pattern+suffix)
}

// MkdirUnique creates a new directory in dir named after pattern (see
// os.MkdirTemp) and returns its path. Unlike os.MkdirTemp it creates it with
// DirPerm, so the umask decides its mode.
func MkdirUnique(dir, pattern string) (string, error) {
	for range 10000 {
		name := uniqueName(dir, pattern)
		err := os.Mkdir(name, DirPerm)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("create a unique directory %s in %s: too many attempts", pattern, dir)
}

// CreateUnique creates and opens for writing a new file in dir named after
// pattern (see os.CreateTemp). Unlike os.CreateTemp it creates it with perm
// (FilePerm, or less as an upper bound), so the umask decides its mode.
func CreateUnique(dir, pattern string, perm os.FileMode) (*os.File, error) {
	for range 10000 {
		f, err := os.OpenFile(uniqueName(dir, pattern), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("create a unique file %s in %s: too many attempts", pattern, dir)
}

// WriteFileAtomic writes path through write into a temporary file in the same
// directory, fsyncs it, renames it over path and fsyncs the directory. A
// reader sees either the old file or the whole new one, never a part; on any
// error the old file is untouched and the temporary file removed. The file
// is created with perm less the umask (pass FilePerm unless the file must be
// kept from others whatever the umask); missing directories with DirPerm.
func WriteFileAtomic(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, DirPerm); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := CreateUnique(dir, "."+filepath.Base(path)+".tmp-*", perm)
	if err != nil {
		return fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory so that renames and creations in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}

// ReplaceDir atomically replaces the directory dst with src, a fully
// written and fsynced sibling directory: a reader listing dst sees the old
// set of files or the new one, never a mix. The old contents are removed
// after the swap. If dst does not exist, src is simply renamed into place.
//
// The swap is renameat2(RENAME_EXCHANGE). On a filesystem without it the
// fallback is rename(dst, dst.old) then rename(src, dst), during which dst is
// briefly absent (never partial); RecoverDir undoes a crash between the two.
func ReplaceDir(src, dst string) error {
	parent := filepath.Dir(dst)
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		// src now holds the old contents.
		if err := SyncDir(parent); err != nil {
			return err
		}
		if err := os.RemoveAll(src); err != nil {
			return fmt.Errorf("remove replaced %s: %w", src, err)
		}
		return nil
	case errors.Is(err, unix.ENOENT):
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("rename %s into place: %w", src, err)
		}
		return SyncDir(parent)
	case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP):
		return replaceDirByRenames(src, dst)
	default:
		return fmt.Errorf("swap %s into %s: %w", src, dst, err)
	}
}

func replaceDirByRenames(src, dst string) error {
	old := dst + ".old"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove %s: %w", old, err)
	}
	if err := os.Rename(dst, old); err != nil {
		return fmt.Errorf("move %s aside: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		_ = os.Rename(old, dst)
		return fmt.Errorf("rename %s into place: %w", src, err)
	}
	if err := SyncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove %s: %w", old, err)
	}
	return nil
}

// RecoverDir repairs what a crash in the middle of ReplaceDir left behind:
// if dst is missing but its ".old" copy exists, the old copy goes back.
func RecoverDir(dst string) error {
	old := dst + ".old"
	if _, err := os.Stat(old); errors.Is(err, os.ErrNotExist) {
		return nil // nothing was moved aside
	} else if err != nil {
		return fmt.Errorf("look for %s: %w", old, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return os.RemoveAll(old)
	}
	if err := os.Rename(old, dst); err != nil {
		return fmt.Errorf("restore %s: %w", dst, err)
	}
	return SyncDir(filepath.Dir(dst))
}
