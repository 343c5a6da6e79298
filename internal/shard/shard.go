// Package shard splits a fleet into N parts that separate processes or
// machines (a Kubernetes Indexed Job, a CI matrix) handle independently:
// `collect --tenants FILE --shard K/N` and `audit --snapshot DIR --shard K/N`.
//
// A tenant's shard depends only on its name and N: its key (the tenant's name
// in the tenants file, which is also its snapshot's file name) is hashed with
// FNV-1a and placed by jump consistent hashing (Lamping and Veach, 2014).
// So every tenant is in exactly one shard, adding or removing a tenant moves
// no other, and going from N to N+1 shards moves only about 1/(N+1) of the
// tenants (each to the new shard). collect and audit use the same key, so
// shard K of an audit over collect's output is exactly what shard K of the
// collection wrote.
package shard

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
)

// Spec is shard K of N (0 <= K < N). The zero Spec is "no sharding".
type Spec struct {
	K, N int
}

// Parse reads "K/N". K counts from 0 so that a Kubernetes Indexed Job can pass
// $(JOB_COMPLETION_INDEX) as is.
func Parse(s string) (Spec, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Spec{}, fmt.Errorf("--shard %q: want K/N, e.g. 0/4 (shards count from 0)", s)
	case ni < 1 || ni > 1<<16:
		return Spec{}, fmt.Errorf("--shard %q: N must be between 1 and 65536", s)
	case ki < 0 || ki >= ni:
		return Spec{}, fmt.Errorf("--shard %q: K must be between 0 and %d (shards count from 0)", s, ni-1)
	}
	return Spec{K: ki, N: ni}, nil
}

// Enabled reports whether the spec selects a part of the fleet.
func (s Spec) Enabled() bool { return s.N > 0 }

// String is "K/N", or "" when not sharding.
func (s Spec) String() string {
	if !s.Enabled() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Has reports whether the tenant with this key belongs to the shard; every
// key belongs to the zero Spec.
func (s Spec) Has(key string) bool {
	return !s.Enabled() || Of(key, s.N) == s.K
}

// Of returns the shard (0..n-1) of a key. Keys compare case-insensitively,
// as tenant names do (they are file names on case-insensitive systems).
func Of(key string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(key))))
	return jump(h.Sum64(), n)
}

// jump is Lamping and Veach's jump consistent hash.
func jump(key uint64, n int) int {
	var b, j int64 = -1, 0
	for j < int64(n) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// FileKey is the key of a snapshot file: its name without directory and
// .json, which collect --tenants writes as <name>.json.
func FileKey(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}
