//go:build !unix

package safefile

// oNoFollow: no such flag here; Lstat's check stands alone.
const oNoFollow = 0
