package event

import (
	"reflect"
	"testing"
)

// Remap must translate every Sym of an event: one left out (a field added
// later) keeps a worker's local symbol after the merge and silently names
// another string.
func TestRemapTranslatesEverySym(t *testing.T) {
	var e Event
	v := reflect.ValueOf(&e).Elem()
	symType := reflect.TypeFor[Sym]()
	var fields []string
	for i := range v.NumField() {
		if v.Field(i).Type() == symType {
			v.Field(i).SetUint(1)
			fields = append(fields, v.Type().Field(i).Name)
		}
	}
	if len(fields) < 10 {
		t.Fatalf("found only %d Sym fields: %v", len(fields), fields)
	}
	e.Remap([]Sym{0, 2})
	for _, name := range fields {
		if got := v.FieldByName(name).Uint(); got != 2 {
			t.Errorf("Remap leaves %s untranslated (%d)", name, got)
		}
	}
}
