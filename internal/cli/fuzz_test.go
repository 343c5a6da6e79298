package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/shard"
)

// FuzzTenantsFile: the tenants-file loader never panics and refuses with an
// input error (exit 2) naming the file or the baseline it names; a file it
// accepts names valid, unique tenants.
func FuzzTenantsFile(f *testing.F) {
	f.Add([]byte("defaults:\n  auth: client-secret\n  client_id: 11111111-2222-3333-4444-555555555555\n  client_secret_env: FUZZ_SECRET\ntenants:\n  - id: contoso.onmicrosoft.com\n    name: contoso\n  - id: 0c7d6e3a-0000-0000-0000-000000000001\n    access_token_env: FUZZ_TOKEN\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "tenants.yaml")
	if err := os.WriteFile(filepath.Join(dir, "baseline.yaml"), []byte("name: fuzz\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Setenv("FUZZ_SECRET", "s3cret-value")
	f.Setenv("FUZZ_TOKEN", "token-value")
	f.Fuzz(func(t *testing.T, raw []byte) {
		targets, err := parseFleet(path, raw, conn.Options{Concurrency: 4}, "", shard.Spec{})
		if err != nil {
			if !inputerr.Is(err) {
				t.Fatalf("not an input error: %T %v", err, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, tg := range targets {
			if !fleetNameRe.MatchString(tg.name) || seen[tg.name] {
				t.Fatalf("accepted tenant name %q (duplicate: %v)", tg.name, seen[tg.name])
			}
			seen[tg.name] = true
		}
	})
}
