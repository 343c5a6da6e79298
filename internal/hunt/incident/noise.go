package incident

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	sprayDay    = time.Date(2023, 12, 7, 0, 0, 0, 0, time.UTC)
	personalDay = time.Date(2023, 12, 9, 0, 0, 0, 0, time.UTC)
	rulesDay    = time.Date(2023, 12, 5, 0, 0, 0, 0, time.UTC)
	subjects    = []string{"Weekly sales report", "Re: Shipment schedule", "Meeting notes", "Quotation request", "Re: Customs documents", "Budget FY2024", "Re: Delivery delay", "Lunch on Friday?", "Contract draft v3", "Re: Invoice query"}
	files       = []string{"Sales_2023Q4.xlsx", "Shipment plan.xlsx", "Customer list.xlsx", "Minutes 2023-12.docx", "Price list 2024.pdf", "Contract draft v3.docx", "Board deck.pptx"}
	sprayUAs    = []string{"python-requests/2.31.0", "BAV2ROPC", "python-requests/2.28.2"}
)

// rules are the ordinary inbox rules in place at export time (created on
// 2023-12-05 from the office through Outlook on the web).
func rules(people []*person, g ids) []*InboxRule {
	var out []*InboxRule
	names := []struct{ name, folder, from string }{
		{"Newsletters", "Newsletters", "news@logistics-weekly.example"}, {"Suppliers", "Suppliers", "billing@supplier.example"},
		{"Customs", "Customs", "noreply@customs.example"}, {"Team updates", "Team", "team-updates@sunnyside08.onmicrosoft.com"},
	}
	for i := 30; i < 40 && i < len(people); i++ {
		n := names[i%len(names)]
		out = append(out, &InboxRule{Mailbox: people[i].u, RuleID: g.ruleID(), Name: n.name, Enabled: true, Priority: 1,
			FromAddressContains: []string{n.from}, MoveToFolder: n.folder, StopProcessingRules: true})
	}
	return out
}

func (sc Scenario) count(r *rand.Rand, base float64) int {
	return int(base*sc.Activity + r.Float64())
}

func (sc Scenario) mail(r *rand.Rand, base float64) int {
	return int(base*sc.Activity*sc.MailActivity + r.Float64())
}

// noise is one day of ordinary work: sign-ins from the office (trusted) and
// from home, MFA prompts, token refreshes, mail read in Outlook and Outlook on
// the web (with benign Client=OWA;Action=ViaProxy lines from home), mail sent
// and deleted, files opened, a few directory changes, ordinary inbox rules, a
// password spray from tooling user agents, and a home user on a personal
// browser.
func (sc Scenario) noise(day *Day, w *World, people []*person) {
	d := day.Date
	r := sc.rng(1000 + uint64(d.Unix()/86400))
	g := ids{r}
	org := tenant.ID
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	for i, p := range people {
		if strings.HasPrefix(p.u.UPN, "breakglass") {
			continue // break-glass accounts never sign in
		}
		active := r.Float64() < 0.92 || i < 2 // Johanna and Alice work every weekday
		if !weekday {
			active = r.Float64() < 0.06
		}
		if !active {
			continue
		}
		atHome := p.homeWorker && r.IntN(2) == 0
		place := officePlace(i)
		if atHome {
			place = p.home
		}
		// working day 09:00-18:00 JST = 00:00-09:00 UTC
		start := d.Add(time.Duration(r.IntN(80)-20) * time.Minute).Add(time.Duration(r.IntN(60)) * time.Second)
		if start.Before(d) {
			start = start.Add(15 * time.Minute)
		}
		sess, tok := g.GUID(), g.tokenID()
		app, client := AppOutlook, "Mobile Apps and Desktop clients"
		if p.owa || r.IntN(4) == 0 {
			app, client = AppOfficeHome, "Browser"
		}
		c := p.device
		mk := func(t time.Time, a, res App, inter bool, code int, tt string) *SignIn {
			return &SignIn{ID: g.requestID(), CorrelationID: g.GUID(), Time: t, User: p.u, App: a, Resource: res, Place: place, Client: c,
				ClientApp: client, Interactive: inter, ErrorCode: code, IncomingTokenType: tt, SessionID: sess, TokenID: g.tokenID(),
				CAStatus: "success", Latency: 60 + r.IntN(250)}
		}
		first := mk(start, app, app, true, 0, "primaryRefreshToken")
		first.TokenID = tok
		if app == AppOutlook {
			first.Resource = AppExchange
		}
		if atHome && r.IntN(3) == 0 {
			// an MFA prompt: interrupted, then satisfied with an Authenticator code
			ask := *first
			first.ID, first.OriginalRequestID = g.requestID(), ask.ID
			ask.ErrorCode, ask.FailureReason, ask.MFARequired = 50074, "Strong Authentication is required.", true
			ask.Steps = []AuthStep{{Time: start, Method: "Previously satisfied", Succeeded: true, ResultDetail: "First factor requirement satisfied by claim in the token", Requirement: "Primary authentication"}}
			first.Time = start.Add(time.Duration(15+r.IntN(30)) * time.Second)
			first.MFARequired, first.MFAResult, first.MFAMethod = true, "MFA successfully completed", "Mobile app verification code"
			first.Steps = append(ask.Steps, AuthStep{Time: first.Time, Method: "OATH verification code", MethodDetail: "Microsoft Authenticator", Succeeded: true, ResultDetail: "MFA successfully completed", Requirement: "MFA"})
			day.SignIns = append(day.SignIns, &ask)
			day.UAL = append(day.UAL, stsLogon(org, &ask))
		} else {
			first.Steps = []AuthStep{{Time: first.Time, Method: "Previously satisfied", Succeeded: true, ResultDetail: "First factor requirement satisfied by claim in the token", Requirement: "Primary authentication"}}
		}
		day.SignIns = append(day.SignIns, first)
		day.UAL = append(day.UAL, stsLogon(org, first))
		for k := sc.count(r, 2); k > 0; k-- {
			t := start.Add(time.Duration(30+r.IntN(480)) * time.Minute)
			res := []App{AppExchange, AppSharePoint, AppTeams, AppGraph}[r.IntN(4)]
			s := mk(t, []App{AppOutlook, AppTeams, AppOfficeHome}[r.IntN(3)], res, false, 0, "refreshToken")
			if r.IntN(3) == 0 {
				s.IncomingTokenType = "primaryRefreshToken"
			}
			day.SignIns = append(day.SignIns, s)
		}
		// mailbox work
		xc := exchangeContext{IP: place.IP, ClientInfo: "Client=MSExchangeRPC", AppID: "", SessionID: sess, TokenID: tok, IssuedAt: first.Time}
		if app == AppOfficeHome || p.owa {
			xc.IP, xc.AppID = withPort(place.IP, 1024+r.IntN(60000)), AppExchange.ID
			xc.ClientInfo = "Client=OWA;Action=ViaProxy" // OWA writes it for ordinary sessions too
		}
		end := start.Add(8 * time.Hour)
		rt := func() time.Time {
			return start.Add(time.Duration(r.Int64N(int64(end.Sub(start))))).Truncate(time.Second)
		}
		t0 := start.Add(2 * time.Minute).Truncate(time.Second)
		day.UAL = append(day.UAL, mailItemsAccessed(org, orgName, server, t0, g.exchangeID(t0), p.u, p.mailbox, xc, "Sync", "Inbox", nil, false))
		for k := sc.mail(r, 2.2); k > 0; k-- {
			t := rt()
			it := mailItem{ID: g.itemID(p.mailbox), InternetMessageID: g.internetMessageID(t.Add(-time.Hour)), Subject: subjects[r.IntN(len(subjects))], Folder: "Inbox", Size: 8000 + r.IntN(90000)}
			day.UAL = append(day.UAL, mailItemsAccessed(org, orgName, server, t, g.exchangeID(t), p.u, p.mailbox, xc, "Bind", "Inbox", []mailItem{it}, false))
		}
		if p.owa && r.IntN(3) == 0 {
			// service-side sync from Exchange's own front end: never an indicator
			t := rt()
			svc := exchangeContext{IP: exchangeFront, ClientInfo: "Client=REST;Client=RESTSystem;;", AppID: "13937bba-652e-4c46-b222-3003f4d1ff97", SessionID: "", TokenID: ""}
			day.UAL = append(day.UAL, mailItemsAccessed(org, orgName, server, t, g.exchangeID(t), p.u, p.mailbox, svc, "Sync", "Inbox", nil, false))
		}
		for k := sc.mail(r, 0.5); k > 0; k-- {
			t := rt()
			it := mailItem{ID: g.itemID(p.mailbox), InternetMessageID: g.internetMessageID(t), Subject: subjects[r.IntN(len(subjects))], Folder: "Sent Items", Size: 9000 + r.IntN(60000)}
			day.UAL = append(day.UAL, mailboxRecord(org, orgName, server, t, g.exchangeID(t), "Send", 2, p.u, p.mailbox, xc, []mailItem{it}, ""))
		}
		if r.IntN(3) == 0 {
			t := rt()
			it := mailItem{ID: g.itemID(p.mailbox), InternetMessageID: g.internetMessageID(t.Add(-48 * time.Hour)), Subject: subjects[r.IntN(len(subjects))], Folder: "Inbox", Size: 5000 + r.IntN(20000)}
			op := []string{"MoveToDeletedItems", "SoftDelete"}[r.IntN(2)]
			day.UAL = append(day.UAL, mailboxRecord(org, orgName, server, t, g.exchangeID(t), op, 3, p.u, p.mailbox, xc, []mailItem{it}, "Inbox"))
		}
		for k := sc.mail(r, 0.6); k > 0; k-- {
			t := rt()
			op := []string{"FileAccessed", "FileAccessed", "FileModified", "FileDownloaded"}[r.IntN(4)]
			day.UAL = append(day.UAL, sharePointFile(org, t, g.GUID(), op, p.u, place.IP, c.UserAgent, sess, AppOfficeHome.ID,
				p.site, "Documents", files[r.IntN(len(files))], p.mailbox, p.mailbox[:24]+"0000a1b2c3d4", p.mailbox, true))
		}
	}

	// directory: service-side updates and the admin's group work, from the office
	admin := people[4].u
	for k := sc.count(r, 6); k > 0; k-- {
		p := people[7+r.IntN(len(people)-7)]
		t := d.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		day.Audits = append(day.Audits, g.audit(&DirAudit{CorrelationID: g.GUID(), Time: t, Service: "Core Directory", Category: "UserManagement",
			Activity: "Update user", OperationType: "Update", Result: "success", ByApp: &App{"0000000d-0000-0000-c000-000000000000", "Microsoft Substrate Management"},
			Targets: []Target{{Type: "User", ID: p.u.ID, UPN: p.u.UPN, Props: []Prop{{"Included Updated Properties", "", ""}}}}}))
	}
	if weekday {
		for k := sc.count(r, 2); k > 0; k-- {
			p := people[7+r.IntN(len(people)-7)]
			t := d.Add(time.Duration(60+r.IntN(420)) * time.Minute)
			a := g.audit(&DirAudit{CorrelationID: g.GUID(), Time: t, Service: "Core Directory", Category: "GroupManagement",
				Activity: "Add member to group", OperationType: "Assign", Result: "success", ByUser: admin, IP: officePlace(4).IP, UserAgent: edgeUA,
				Targets: []Target{{Type: "User", ID: p.u.ID, UPN: p.u.UPN}, {Type: "Group", ID: "5b1f9d2e-7c3a-4e8b-9f0d-1a2b3c4d5e6f", DisplayName: "Sales-Tokyo"}}})
			day.Audits = append(day.Audits, a)
			day.UAL = append(day.UAL, aadAudit(org, a, func(u *User) string { return u.UPN }))
		}
	}
	if d.Equal(rulesDay) {
		for _, rl := range w.InboxRules {
			t := d.Add(time.Duration(120+r.IntN(300)) * time.Minute)
			x := exchangeContext{IP: withPort(officePlace(3).IP, 1024+r.IntN(60000)), ClientInfo: "Client=OWA;", AppID: AppExchange.ID, TokenID: g.tokenID(), SessionID: g.GUID()}
			day.UAL = append(day.UAL, exchangeAdmin(org, orgName, server, t, g.exchangeID(t), "New-InboxRule", rl.Mailbox, x,
				"TYCPR01A008.JPNPRD01.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/sunnyside08.onmicrosoft.com/"+rl.Mailbox.UPN[:len(rl.Mailbox.UPN)-len(tenant.Domain)-1]+"\\"+rl.RuleID,
				[][2]string{{"AlwaysDeleteOutlookRulesBlob", "False"}, {"Force", "False"}, {"From", rl.FromAddressContains[0]}, {"MoveToFolder", rl.MoveToFolder},
					{"Name", rl.Name}, {"StopProcessingRules", "True"}}))
		}
	}
	if d.Equal(sprayDay) {
		// password spray against the tenant from tooling: failures only
		targets := []string{"Caq08622@" + tenant.Domain, "Raju6601@" + tenant.Domain}
		for k := 0; k < 40; k++ {
			targets = append(targets, people[7+r.IntN(len(people)-7)].u.UPN)
		}
		for k, upn := range targets {
			t := d.Add(2*time.Hour + time.Duration(k*37+r.IntN(20))*time.Second)
			s := &SignIn{ID: g.requestID(), CorrelationID: g.GUID(), Time: t, UsernameAsTyped: upn, App: AppAzureCLI, Resource: AppAzureMgmt,
				Place:  Place{IP: fmt.Sprintf("192.0.2.%d", 201+k%3), City: "Frankfurt am Main", State: "Hessen", Country: "DE", ASN: 64510},
				Client: Client{UserAgent: sprayUAs[k%len(sprayUAs)], OS: ""}, ClientApp: "Mobile Apps and Desktop clients", Interactive: true,
				ErrorCode: 50126, FailureReason: "Error validating credentials due to invalid username or password.", IncomingTokenType: "none", CAStatus: "notApplied", Latency: 30 + r.IntN(40)}
			for _, p := range people {
				if p.u.UPN == upn {
					s.User = p.u
				}
			}
			if s.User == nil {
				s.ErrorCode, s.FailureReason = 50034, "The user account does not exist in the tenant directory."
			}
			day.SignIns = append(day.SignIns, s)
			day.UAL = append(day.UAL, stsLogon(org, s))
		}
	}
	if d.Equal(personalDay) {
		// a home user on a personal Mac opens Office on the web from a new
		// address: looks like an AiTM sign-in, is not one
		p := people[20]
		t := d.Add(11*time.Hour + 14*time.Minute + 9*time.Second)
		s := &SignIn{ID: g.requestID(), CorrelationID: g.GUID(), Time: t, User: p.u, App: AppOfficeHome, Resource: AppOfficeHome,
			Place: Place{IP: "192.0.2.250", City: "Kamakura", State: "Kanagawa", Country: "JP", ASN: 64502}, Client: Client{UserAgent: macUA, Browser: "Chrome 120.0.0", OS: "MacOs"},
			ClientApp: "Browser", Interactive: true, MFARequired: true, MFAResult: "MFA successfully completed", MFAMethod: "Mobile app verification code",
			IncomingTokenType: "none", SessionID: g.GUID(), TokenID: g.tokenID(), CAStatus: "notApplied", Latency: 201}
		day.SignIns = append(day.SignIns, s)
		day.UAL = append(day.UAL, stsLogon(org, s))
	}
}
