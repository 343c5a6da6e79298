package engine

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/demo"
)

func TestDemoPrint(t *testing.T) {
	if os.Getenv("TG_PRINT") == "" {
		t.Skip()
	}
	e, err := New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := demo.Snapshot()
	b, _ := demo.Baseline()
	r, err := e.Evaluate(context.Background(), s, b, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	os.WriteFile("/tmp/demo.json", out, 0o644)
}
