package engine

import (
	"context"
	"testing"
)

func TestNewCompilesCatalog(t *testing.T) {
	e, err := New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(e.Catalog()); got != 18 {
		t.Fatalf("catalog has %d controls, want 18", got)
	}
}
