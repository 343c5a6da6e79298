package read

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// writeSyntheticUAL writes n UAL records as Search-UnifiedAuditLog CSV,
// shaped like a tenant's mix (mail reads dominate). It is a quick
// stand-in for bench/'s generator, for measuring the reader alone.
func writeSyntheticUAL(t testing.TB, path string, n, users int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.UseCRLF = true
	_ = w.Write([]string{"RecordType", "CreationDate", "UserIds", "Operations", "AuditData", "ResultIndex", "ResultCount", "Identity", "IsValid", "ObjectState"})
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	ops := []struct {
		op string
		rt int
		w  int
	}{{"MailItemsAccessed", 50, 55}, {"UserLoggedIn", 15, 15}, {"FileAccessed", 6, 10}, {"Send", 2, 4}, {"MoveToDeletedItems", 3, 4}, {"SoftDelete", 3, 3}, {"FileDownloaded", 6, 4}, {"Update", 2, 4}, {"New-InboxRule", 1, 1}}
	for i := range n {
		un := r.IntN(users)
		u := fmt.Sprintf("user%03d@sunnyside08.onmicrosoft.com", un)
		k := r.IntN(100)
		o := ops[0]
		for _, x := range ops {
			if k < x.w {
				o = x
				break
			}
			k -= x.w
		}
		ts := start.Add(time.Duration(r.Int64N(int64(14 * 24 * time.Hour))))
		ad := map[string]any{
			"CreationTime": ts.Format("2006-01-02T15:04:05"), "Id": fmt.Sprintf("%08x-0000-4000-8000-%012x", i, r.Int64N(1<<40)),
			"Operation": o.op, "OrganizationId": "35a4937b-c200-40f5-8db0-1813c0f63ffe", "RecordType": o.rt, "ResultStatus": "Succeeded",
			"UserKey": "10032000" + strconv.Itoa(i%997), "UserType": 0, "Version": 1, "Workload": "Exchange", "UserId": u,
			"ClientIP":         fmt.Sprintf("203.0.%d.%d:%d", r.IntN(256), r.IntN(256), 1024+r.IntN(60000)),
			"AppAccessContext": map[string]any{"AADSessionId": fmt.Sprintf("sess-%s-%d", u, r.IntN(20)), "UniqueTokenId": fmt.Sprintf("tok%d", r.IntN(1<<30)), "IssuedAtTime": ts.Format("2006-01-02T15:04:05")},
			"ClientInfoString": "Client=REST;Client=RESTSystem;;", "ExternalAccess": false, "MailboxOwnerUPN": u,
			"OrganizationName": "sunnyside08.onmicrosoft.com", "OriginatingServer": "OS3P286MB1255 (15.20.7068.030)",
			"LogonUserSid": "S-1-5-21-1234567890-1234567890-1234567890-12345", "MailboxGuid": "4f3c2b1a-0000-4000-8000-000000000000",
		}
		switch o.op {
		case "MailItemsAccessed":
			ad["OperationProperties"] = []map[string]string{{"Name": "MailAccessType", "Value": "Bind"}, {"Name": "IsThrottled", "Value": "False"}}
			ad["Folders"] = []map[string]any{{"Path": "\\Inbox", "FolderItems": []map[string]any{{"InternetMessageId": fmt.Sprintf("<m%d@x.prod.outlook.com>", i), "SizeInBytes": 12345}}}}
		case "UserLoggedIn":
			ad["Workload"] = "AzureActiveDirectory"
			ad["ApplicationId"] = "4765445b-32c6-49b0-83e6-1d93765276ca"
			ad["ExtendedProperties"] = []map[string]string{{"Name": "UserAgent", "Value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"}, {"Name": "RequestType", "Value": "OAuth2:Authorize"}}
			ad["DeviceProperties"] = []map[string]string{{"Name": "OS", "Value": "Windows 10"}, {"Name": "BrowserType", "Value": "Edge"}, {"Name": "SessionId", "Value": "s"}}
		case "FileAccessed", "FileDownloaded":
			ad["Workload"] = "SharePoint"
			ad["SourceFileName"] = fmt.Sprintf("Report %d.docx", r.IntN(5000))
			ad["SiteUrl"] = "https://sunnyside08.sharepoint.com/sites/sales/"
			ad["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
		case "Send", "Update":
			ad["Item"] = map[string]any{"Id": "RgAAAA", "InternetMessageId": fmt.Sprintf("<s%d@x>", i), "ParentFolder": map[string]string{"Path": "\\Sent Items"}, "Subject": fmt.Sprintf("Quote %d", r.IntN(1000))}
		case "MoveToDeletedItems", "SoftDelete":
			ad["AffectedItems"] = []map[string]any{{"InternetMessageId": fmt.Sprintf("<d%d@x>", i), "Subject": "Newsletter", "ParentFolder": map[string]string{"Path": "\\Inbox"}}}
		case "New-InboxRule":
			ad["Parameters"] = []map[string]string{{"Name": "Name", "Value": "Move newsletters"}, {"Name": "MoveToFolder", "Value": "Newsletters"}}
		}
		b, _ := json.Marshal(ad)
		_ = w.Write([]string{"ExchangeItem", ts.Format("1/2/2006 3:04:05 PM"), u, o.op, string(b), strconv.Itoa(i + 1), strconv.Itoa(n), ad["Id"].(string), "True", "Unchanged"})
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkReadUAL reads a synthetic UAL CSV. HUNT_BENCH_RECORDS sets its
// size (default 100,000; the speed bar is 1,000,000).
func BenchmarkReadUAL(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("HUNT_BENCH_RECORDS")); err == nil && v > 0 {
		n = v
	}
	p := os.Getenv("HUNT_BENCH_FILE") // reuse a file across runs
	if p == "" {
		p = filepath.Join(b.TempDir(), "ual.csv")
	}
	if _, err := os.Stat(p); err != nil {
		writeSyntheticUAL(b, p, n, 300)
	}
	st, _ := os.Stat(p)
	keep := func(k event.Kind, op string, rt int16) bool {
		switch op {
		case "new-inboxrule", "set-inboxrule", "set-mailbox", "add application", "consent to application":
			return true
		}
		return false
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		l, err := Read(context.Background(), []string{p}, event.NewStrings(), Options{Keep: keep})
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Events) != n {
			b.Fatalf("%d events", len(l.Events))
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(l)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMB")
	}
}
