package render

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

func init() { Register("csv", writeCSV) }

// csvHeader are the timeline's columns (English whatever --lang says:
// they are field names for spreadsheets and scripts).
var csvHeader = []string{"time_utc", "time_local", "user", "source", "operation", "ip", "country", "user_agent", "session", "attacker", "detections", "file_line", "record_id"}

// writeCSV is the merged timeline for the responder who works in Excel:
// every event read inside the window, in time order, one row each. It
// starts with a UTF-8 byte order mark so that Excel (Japanese Windows
// included) reads non-ASCII subjects and names as UTF-8. Times are RFC
// 3339: UTC, and in --tz with its offset. record_id (after hunt.md's
// columns) locates a record that file:line cannot: a Graph page of an
// evidence bundle is one line of JSON holding every record of the page.
func writeCSV(w io.Writer, r *result.Result, o Options) error {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	write := func(e result.Event) error {
		row[0], row[1] = "", ""
		if e.Time != nil {
			row[0] = e.Time.UTC().Format(time.RFC3339Nano)
			row[1] = e.Time.In(loc).Format(time.RFC3339Nano)
		}
		row[2], row[3], row[4] = e.User, e.Source, e.Operation
		row[5], row[6], row[7], row[8] = deref(e.IP), e.Country, deref(e.UserAgent), deref(e.Session)
		row[9] = "no"
		if e.Attacker {
			row[9] = "yes"
		}
		row[10] = strings.Join(e.Detections, " ")
		row[11] = ""
		if e.File != "" {
			row[11] = e.File + ":" + strconv.Itoa(e.Line)
		}
		row[12] = e.RecordID
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		return cw.Write(row)
	}
	var err error
	if r.Timeline != nil {
		r.Timeline(func(e result.Event) bool {
			err = write(e)
			return err == nil
		})
	} else {
		// A result read back from JSON has only the users' timelines.
		for _, u := range r.Users {
			for e := range u.Timeline {
				if e.User == "" {
					e.User = u.UPN
				}
				if err = write(e); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// CSVCell neutralises a cell a spreadsheet would run as a formula: one
// starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's CSV injection advice). The attacker chooses subjects,
// rule names and user agents; an IPv6 address or a time never starts so.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
