package render

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// The report text of every language lives in one message catalog per
// language, locales/<lang>.yaml, read with go-i18n (CLDR plural forms,
// text/template data, one flat message id per sentence). English is the
// source: a Japanese message exists for every English id
// (TestCatalogsHaveTheSameKeys).
//
// The detections' titles and response steps are written once, in English,
// in the Rego METADATA. A translation of them is keyed by the detection id
// ("TG.HUNT.4.title", "TG.HUNT.4.response") and carries the hash of the
// English text it translates (go-i18n's hash field): when the METADATA
// changes, TestDetectionTranslations fails until the translation is
// reviewed, and a detection without a translation is a render error, never
// an English fallback. The same holds for the response actions' names
// (policies/hunt/response), keyed "response.<name>".

//go:embed locales/*.yaml
var localeFiles embed.FS

// Languages are the report languages, the default first.
var Languages = []string{"en", "ja"}

var (
	bundleOnce sync.Once
	bundle     *i18n.Bundle
	bundleErr  error
)

func loadBundle() (*i18n.Bundle, error) {
	bundleOnce.Do(func() {
		b := i18n.NewBundle(language.English)
		b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
		for _, l := range Languages {
			if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+l+".yaml"); err != nil {
				bundleErr = fmt.Errorf("message catalog %s: %w", l, err)
				return
			}
		}
		bundle = b
	})
	return bundle, bundleErr
}

// Catalog localises report text into one language. A message missing from
// the language is recorded (Err) instead of silently shown in English.
type Catalog struct {
	Lang    string
	loc     *i18n.Localizer
	mu      sync.Mutex
	missing map[string]bool
}

// NewCatalog returns the catalog of lang ("" = en).
func NewCatalog(lang string) (*Catalog, error) {
	if lang == "" {
		lang = Languages[0]
	}
	if !slices.Contains(Languages, lang) {
		return nil, fmt.Errorf("unknown language %q (want %s)", lang, strings.Join(Languages, " or "))
	}
	b, err := loadBundle()
	if err != nil {
		return nil, err
	}
	return &Catalog{Lang: lang, loc: i18n.NewLocalizer(b, lang), missing: map[string]bool{}}, nil
}

// T is message id with the template data given as name, value pairs.
func (c *Catalog) T(id string, kv ...any) string { return c.localize(id, nil, kv) }

// N is message id in the plural form of n; the data holds N = n too.
func (c *Catalog) N(id string, n int, kv ...any) string {
	return c.localize(id, n, append(kv, "N", n))
}

func (c *Catalog) localize(id string, count any, kv []any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	s, tag, err := c.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil || tag.String() != c.Lang {
		c.mu.Lock()
		c.missing[id] = true
		c.mu.Unlock()
		if s == "" {
			return id
		}
	}
	return s
}

// Has reports whether the language has message id.
func (c *Catalog) Has(id string) bool {
	_, tag, err := c.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	return err == nil && tag.String() == c.Lang
}

// Detection is a detection's title and response step in the catalog's
// language: the METADATA's own in English, the translation keyed by id in
// any other.
func (c *Catalog) Detection(d result.Detection) (title, response string) {
	if c.Lang == Languages[0] {
		return d.Title, d.Response
	}
	return c.T(d.ID + ".title"), c.T(d.ID + ".response")
}

// DetectionTitle is the title of detection id, from the catalog r carries.
func (c *Catalog) DetectionTitle(r *result.Result, id string, fallback string) string {
	for _, d := range r.Detections {
		if d.ID == id {
			t, _ := c.Detection(d)
			return t
		}
	}
	return fallback
}

// Err names the messages the language lacks.
func (c *Catalog) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.missing) == 0 {
		return nil
	}
	var ids []string
	for id := range c.missing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return errors.New("message catalog " + c.Lang + " lacks " + strings.Join(ids, ", "))
}

// SourceHash is the hash a translation of English text s carries.
func SourceHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256-" + hex.EncodeToString(h[:6])
}
