package conformance

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManifestListsEveryFile: every corpus file is in the manifest with its
// provenance and licence (third-party captures keep their own licences,
// NOTICE), every manifest entry exists, and every file is in a case.
func TestManifestListsEveryFile(t *testing.T) {
	m := manifest(t)
	listed := map[string]bool{}
	for _, f := range m.Files {
		if listed[f.Path] {
			t.Errorf("%s is listed twice", f.Path)
		}
		listed[f.Path] = true
		if strings.TrimSpace(f.Licence) == "" {
			t.Errorf("%s: no licence (write \"none stated\" and why the file is kept when its source states none)", f.Path)
		}
		if f.Provenance.Repository == "" && f.Provenance.URL == "" {
			t.Errorf("%s: provenance names no repository or URL", f.Path)
		}
		if f.Provenance.Repository != "" && f.Provenance.URL == "" && (f.Provenance.Path == "" || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(f.Provenance.Commit)) {
			t.Errorf("%s: provenance from a repository needs its path and full commit", f.Path)
		}
		if f.Origin != "real" && f.Origin != "documented" {
			t.Errorf("%s: origin %q is neither real nor documented", f.Path, f.Origin)
		}
		if strings.TrimSpace(f.Pseudonym) == "" {
			t.Errorf("%s: say what was pseudonymised (or that nothing needed to be)", f.Path)
		}
		if _, err := m.Raw(f); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	// A file's verdicts are those of the cases that list it: a file no case
	// lists would be in the corpus without any verdict checked.
	inCase := map[string]bool{}
	for _, c := range m.Cases {
		files, err := m.CaseFiles(c)
		if err != nil {
			t.Error(err)
		}
		for _, f := range files {
			inCase[f.Path] = true
		}
	}
	for _, f := range m.Files {
		if !inCase[f.Path] {
			t.Errorf("%s is in no case, so no verdict checks it: add it to a case", f.Path)
		}
	}
	root := filepath.Join("testdata", "corpus")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if !listed[filepath.ToSlash(rel)] {
			t.Errorf("%s is not in manifest.yaml", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoticeNamesEveryTestDataManifest: NOTICE tells readers that
// third-party test data keeps its own licence and where each is stated;
// a new manifest of third-party files must be named there too.
func TestNoticeNamesEveryTestDataManifest(t *testing.T) {
	notice, err := os.ReadFile(filepath.Join("..", "..", "NOTICE"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), "manifest.") || !strings.Contains(filepath.ToSlash(p), "/testdata/") {
			return nil
		}
		rel, _ := filepath.Rel(filepath.Join("..", ".."), p)
		n++
		if !strings.Contains(string(notice), filepath.ToSlash(rel)) {
			t.Errorf("NOTICE does not name %s", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("found %d test-data manifests, want at least the conformance corpus's and hunt's", n)
	}
}
