package incident

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Scenario describes one tenant's export window: the incident of the talk
// (fixed) and ordinary activity of Users people (generated from Seed).
type Scenario struct {
	Seed     uint64
	Users    int       // everyone in the tenant, the incident's people included (at least 12)
	From, To time.Time // export window [From, To)
	// Activity scales the ordinary per-person-per-day volume (1 = the demo).
	Activity float64
	// MailActivity further scales mailbox and file records (mail read, sent,
	// deleted; files opened), which dominate real Unified Audit Logs; 0 = 1.
	MailActivity float64
}

// Sunnyside is the demo: the talk's company (300 people, Exchange Online,
// Authenticator codes) exported by its CSIRT for 2023-12-04 to 2023-12-14.
func Sunnyside() Scenario {
	return Scenario{Seed: 20231212, Users: 300, Activity: 1,
		From: time.Date(2023, 12, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 12, 14, 0, 0, 0, 0, time.UTC)}
}

// The demo tenant (internal/demo/tenant.json) and the talk's people.
var (
	tenant = Tenant{ID: "35a4937b-c200-40f5-8db0-1813c0f63ffe", Name: "Sunnyside Trading", Domain: "sunnyside08.onmicrosoft.com", Office: "203.0.113.0/24"}
	// the attacker: an AiTM proxy on IPv6 (the talk's 2a0b:f4c2:1::1, here a
	// documentation address) and a VPS replaying the stolen cookie (the talk's
	// 54.36.108.162). The talk's user agent.
	attackerV6 = Place{IP: "2001:db8:f4c2:1::1", City: "Ashburn", State: "Virginia", Country: "US", ASN: 64496}
	attackerV4 = Place{IP: "198.51.100.162", City: "Roubaix", State: "Hauts-de-France", Country: "FR", ASN: 64497}
	attackerUA = Client{UserAgent: "Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0", Browser: "Firefox 115.0", OS: "Windows10"}
	// Entra's own front end, seen as the address of service-side work (the
	// talk's audit rows from 20.190.181.19): never an indicator.
	entraFrontEnd = "20.190.181.19"
	exchangeFront = "2603:1036:303:2850::5"
	officePlace   = func(n int) Place {
		return Place{IP: fmt.Sprintf("203.0.113.%d", 10+n%20), City: "Chiyoda-ku", State: "Tokyo", Country: "JP", ASN: 64500}
	}
	server  = "TYCPR01MB8563 (15.20.7068.030)"
	orgName = "sunnyside08.onmicrosoft.com"
)

// Incident ties the scenario's fixed story together; the expected findings
// (expected.go) are stated from it.
type Incident struct {
	Victim, Second, Responder *User
	AttackerSession           string // Entra session id of the stolen session
	SecondSession             string
	AttackerToken             string
	AppName, AppID, AppObject string // the "chatbot" registration
	SPID                      string // its service principal
	Scopes                    []string
	Device                    struct{ Name, ID, ObjectID string }
	RuleName                  string
	InvoiceSubject            string
	Sent                      []mailItem
	DeletedReplies            []mailItem
	Read                      []mailItem
	Files                     []string
	FilesSite                 string
	MethodTime, DeviceTime    time.Time
	RuleTime, ConsentTime     time.Time
	Response                  []Action
}

// Action is one containment step the responder took, as the logs show it.
type Action struct {
	Action, By, Target string
	Time               time.Time
}

// World is what a run produced besides the streamed events: the tenant, its
// people, the rules in place at export time, and the incident's facts.
type World struct {
	Tenant     Tenant
	Users      []*User
	InboxRules []*InboxRule
	Incident   Incident
}

// Day is one UTC day of events, each slice sorted by time in the run's order.
type Day struct {
	Date    time.Time
	SignIns []*SignIn
	Audits  []*DirAudit
	UAL     []*UAL
}

// person is the ordinary behaviour of one user.
type person struct {
	u          *User
	home       Place
	homeWorker bool // works from home some days
	device     Client
	mailbox    string
	site       string // OneDrive URL
	owa        bool   // uses Outlook on the web rather than Outlook desktop
}

const (
	edgeUA   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.0.0"
	chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
	macUA    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	outlook  = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16924; Pro)"
)

var givenNames = []string{"Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Mei", "Kaito", "Sakura", "Riku", "Yuna", "Takumi", "Rin", "Kenji", "Emi", "Daichi", "Nana", "Shota", "Mio", "Naoki", "Ayaka", "Hiroshi", "Keiko", "Tomoya", "Saki", "Yusuke", "Mika", "Kazuki", "Aya", "Ryo", "Nao", "Liam", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Ethan", "Chloe", "Mateo", "Zoe", "Arjun", "Priya", "Chen", "Wei", "Minh", "Linh", "Omar", "Sara"}
var familyNames = []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa", "Ogawa", "Okada", "Hasegawa", "Murakami", "Kondo", "Fujita", "Miller", "Garcia", "Nguyen", "Singh", "Lee", "Brown", "Wilson", "Martin", "Lopez", "Kim"}

// Run generates the scenario day by day (oldest first, or newest first when
// desc) and hands each day to fn; only one day is held at a time, so the bench
// can write a million records without holding them.
func (sc Scenario) Run(desc bool, fn func(*Day) error) (*World, error) {
	if sc.Users < 12 {
		return nil, fmt.Errorf("scenario needs at least 12 users, has %d", sc.Users)
	}
	if sc.Activity <= 0 {
		sc.Activity = 1
	}
	if sc.MailActivity <= 0 {
		sc.MailActivity = 1
	}
	w, people := sc.people()
	inc := sc.incident(w, people)
	days := []time.Time{}
	for d := sc.From.Truncate(24 * time.Hour); d.Before(sc.To); d = d.Add(24 * time.Hour) {
		days = append(days, d)
	}
	if desc {
		slices.Reverse(days)
	}
	for _, d := range days {
		day := &Day{Date: d}
		sc.noise(day, w, people)
		for _, s := range inc.SignIns {
			if sameDay(s.Time, d) {
				day.SignIns = append(day.SignIns, s)
			}
		}
		for _, a := range inc.Audits {
			if sameDay(a.Time, d) {
				day.Audits = append(day.Audits, a)
			}
		}
		for _, u := range inc.UAL {
			if sameDay(u.Time, d) {
				day.UAL = append(day.UAL, u)
			}
		}
		clip(day, sc.From, sc.To)
		sortDay(day, desc)
		if err := fn(day); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Generate holds the whole run in memory (the demo's few thousand records).
func (sc Scenario) Generate(desc bool) (*World, []*Day, error) {
	var days []*Day
	w, err := sc.Run(desc, func(d *Day) error { days = append(days, d); return nil })
	return w, days, err
}

func sameDay(t, d time.Time) bool { return !t.Before(d) && t.Before(d.Add(24*time.Hour)) }

// clip keeps the window and gives every record the precision its exports
// show: sign-ins and the UAL in seconds, audits in 100 ns (7 digits).
func clip(d *Day, from, to time.Time) {
	for _, s := range d.SignIns {
		s.Time = s.Time.Truncate(time.Second)
	}
	for _, a := range d.Audits {
		a.Time = a.Time.Truncate(100 * time.Nanosecond)
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	d.SignIns = slices.DeleteFunc(d.SignIns, func(s *SignIn) bool { return !in(s.Time) })
	d.Audits = slices.DeleteFunc(d.Audits, func(a *DirAudit) bool { return !in(a.Time) })
	d.UAL = slices.DeleteFunc(d.UAL, func(u *UAL) bool { return !in(u.Time) })
}

func sortDay(d *Day, desc bool) {
	sgn := 1
	if desc {
		sgn = -1
	}
	// stable, and ties broken by id, so the files never depend on map order
	slices.SortStableFunc(d.SignIns, func(a, b *SignIn) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return sgn * c
		}
		return sgn * strings.Compare(a.ID+a.Status(), b.ID+b.Status())
	})
	slices.SortStableFunc(d.Audits, func(a, b *DirAudit) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return sgn * c
		}
		return sgn * strings.Compare(a.ID, b.ID)
	})
	slices.SortStableFunc(d.UAL, func(a, b *UAL) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return sgn * c
		}
		return sgn * strings.Compare(a.ID, b.ID)
	})
}

func (sc Scenario) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(sc.Seed, stream))
}

// people makes the directory: the talk's named people first, then everyone else.
func (sc Scenario) people() (*World, []*person) {
	r := sc.rng(1)
	g := ids{r}
	w := &World{Tenant: tenant}
	named := []struct {
		local, display string
		admin          bool
	}{
		{"Johanna", "Johanna Lindqvist", false}, {"AliceA", "Alice Abe", false}, {"GradyA", "Grady Aoki", false},
		{"yumin", "Yumi Nakamura", true}, {"it-admin", "IT Admin", true},
		{"breakglass01", "Break Glass 01", true}, {"breakglass02", "Break Glass 02", true},
	}
	seen := map[string]bool{}
	homes := map[string]Place{}
	var people []*person
	add := func(local, display string, admin bool) {
		u := &User{ID: g.GUID(), UPN: local + "@" + tenant.Domain, DisplayName: display, Admin: admin,
			PUID: "10032003" + strings.ToUpper(g.hex(8))}
		seen[strings.ToLower(local)] = true
		w.Users = append(w.Users, u)
		i := len(people)
		p := &person{u: u, homeWorker: r.IntN(10) < 3, owa: r.IntN(10) < 2, mailbox: g.GUID(),
			site: "https://sunnyside08-my.sharepoint.com/personal/" + strings.ReplaceAll(strings.ToLower(local), "-", "_") + "_sunnyside08_onmicrosoft_com/"}
		if r.IntN(3) == 0 {
			p.home = Place{IP: fmt.Sprintf("2001:db8:100:%x::%x", 0x10+i, 1+r.IntN(0xfff)), City: []string{"Setagaya", "Yokohama", "Kawasaki", "Saitama", "Chiba"}[r.IntN(5)], State: "Tokyo", Country: "JP", ASN: 64501 + r.IntN(4)}
		} else {
			p.home = Place{IP: fmt.Sprintf("192.0.2.%d", 1+i%180), City: []string{"Setagaya", "Yokohama", "Kawasaki", "Saitama", "Chiba"}[r.IntN(5)], State: "Tokyo", Country: "JP", ASN: 64501 + r.IntN(4)}
		}
		// Users share the 180 IPv4 home addresses; an address is in one
		// place and one network whoever signs in from it (Entra places
		// the address, not the user). The draws above are kept so the
		// rest of the scenario stays as it was.
		if h, ok := homes[p.home.IP]; ok {
			p.home = h
		} else {
			homes[p.home.IP] = p.home
		}
		ua, br := edgeUA, "Edge 119.0.0"
		if r.IntN(5) == 0 {
			ua, br = chromeUA, "Chrome 119.0.0"
		}
		p.device = Client{UserAgent: ua, Browser: br, OS: "Windows10", DeviceID: g.GUID(), DeviceName: "SST-" + strings.ToUpper(g.hex(6)),
			Compliant: true, Managed: true, JoinType: "Microsoft Entra joined"}
		people = append(people, p)
	}
	for _, n := range named {
		add(n.local, n.display, n.admin)
	}
	for len(people) < sc.Users {
		gn, fn := givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
		local := gn + fn[:1]
		for k := 2; seen[strings.ToLower(local)]; k++ {
			local = fmt.Sprintf("%s%s%d", gn, fn[:1], k)
		}
		add(local, gn+" "+fn, false)
	}
	// Johanna works in the office on a managed laptop, in Outlook desktop.
	people[0].homeWorker, people[0].owa = false, false
	people[1].homeWorker = false
	w.InboxRules = rules(people, g)
	return w, people
}
