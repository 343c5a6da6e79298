package diff

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// diffValues lists the JSON paths where o and n differ. Objects are compared
// key by key (a missing key equals null: Graph adds null fields over time);
// arrays of objects that all carry a unique "id" are matched by id (e.g. the
// method configurations of authenticationMethodsPolicy); any other array is
// one value, reported whole when it differs.
func diffValues(path string, o, n any, ignore map[string]bool) []FieldChange {
	if equal(o, n) {
		return nil
	}
	om, oIsObj := o.(map[string]any)
	nm, nIsObj := n.(map[string]any)
	if oIsObj && nIsObj {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range nm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			if strings.HasPrefix(k, "@odata.") || (path == "" && ignore[k]) {
				continue // service metadata / self-changing fields
			}
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []FieldChange
		for _, k := range sorted {
			out = append(out, diffValues(joinPath(path, k), om[k], nm[k], nil)...)
		}
		return out
	}
	oa, oIsArr := o.([]any)
	na, nIsArr := n.([]any)
	if oIsArr && nIsArr {
		if om, ok := byID(oa); ok {
			if nm, ok := byID(na); ok {
				return diffByID(path, om, nm)
			}
		}
	}
	return []FieldChange{{Path: nonEmpty(path, "$"), Old: o, New: n}}
}

func diffByID(path string, om, nm map[string]any) []FieldChange {
	ids := map[string]bool{}
	for id := range om {
		ids[id] = true
	}
	for id := range nm {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	var out []FieldChange
	for _, id := range sorted {
		p := path + "[id=" + id + "]"
		o, inOld := om[id]
		n, inNew := nm[id]
		if !inOld || !inNew {
			out = append(out, FieldChange{Path: p, Old: o, New: n})
			continue
		}
		out = append(out, diffValues(p, o, n, nil)...)
	}
	return out
}

// byID indexes an array whose elements are all objects with a unique string id.
func byID(arr []any) (map[string]any, bool) {
	if len(arr) == 0 {
		return map[string]any{}, true
	}
	m := make(map[string]any, len(arr))
	for _, el := range arr {
		obj, ok := el.(map[string]any)
		if !ok {
			return nil, false
		}
		id, ok := obj["id"].(string)
		if !ok || id == "" {
			return nil, false
		}
		if _, dup := m[id]; dup {
			return nil, false
		}
		m[id] = obj
	}
	return m, true
}

// equal compares decoded JSON. A missing value, null and [] are equal: Graph
// sends either for an empty list (e.g. excludeUsers) and they mean the same.
func equal(a, b any) bool {
	if isEmpty(a) || isEmpty(b) {
		return isEmpty(a) && isEmpty(b)
	}
	return reflect.DeepEqual(a, b)
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	arr, ok := v.([]any)
	return ok && len(arr) == 0
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// joinPath writes keys that are not identifiers in brackets, as JSONPath does:
// conditions.users["odd key"].
func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		b, _ := json.Marshal(key)
		return path + "[" + string(b) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
