package incident

import (
	"fmt"
	"strings"
	"time"
)

// story holds the incident's own records (a few hundred), bucketed into days by Run.
type story struct {
	SignIns []*SignIn
	Audits  []*DirAudit
	UAL     []*UAL
}

func at(h, m, s int) time.Time { return time.Date(2023, 12, 12, h, m, s, 0, time.UTC) }

// incident writes the talk's story. Times are UTC; the talk's console showed
// them in UTC+9 (attack 13:50-14:15 JST on 2023-12-12, the report's
// "REVISED INVOICE" at 5:03 UTC and downloads 5:12:10-5:15:38 UTC).
func (sc Scenario) incident(w *World, people []*person) *story {
	r := sc.rng(2)
	g := ids{r}
	st := &story{}
	jo, alice, yumi := people[0], people[1], people[3]
	org := tenant.ID
	in := &w.Incident
	in.Victim, in.Second, in.Responder = jo.u, alice.u, yumi.u
	in.AttackerSession, in.SecondSession, in.AttackerToken = g.GUID(), g.GUID(), g.tokenID()
	in.AppName, in.AppID, in.AppObject, in.SPID = "chatbot", g.GUID(), g.GUID(), "80cf2cdc-2178-400b-ab98-a0677b6bd694"
	in.Scopes = []string{"Mail.ReadWrite", "MailboxSettings.ReadWrite", "User.Read"}
	in.Device.Name, in.Device.ID, in.Device.ObjectID = "DESKTOP-8JQ4M2R", g.GUID(), g.GUID()
	in.RuleName, in.InvoiceSubject = "..", "REVISED INVOICE"
	in.Files = []string{"PO_EcoGreenLand_inc.docx", "Comprehensive ERP System Requirements.docx"}
	in.FilesSite = jo.site
	sess := in.AttackerSession

	// 1. the AiTM sign-in through the proxy: MFA asked (50074), then satisfied
	// with an Authenticator code the victim typed into the phishing page.
	corr := g.GUID()
	req := g.requestID()
	signin := func(t time.Time, p Place, app, res App, interactive bool, code int, tok string) *SignIn {
		s := &SignIn{ID: g.requestID(), CorrelationID: corr, Time: t, User: jo.u, App: app, Resource: res, Place: p,
			Client: attackerUA, ClientApp: "Browser", Interactive: interactive, ErrorCode: code, MFARequired: true,
			IncomingTokenType: "none", SessionID: sess, TokenID: tok, CAStatus: "notApplied", Latency: 120 + r.IntN(200)}
		if !interactive {
			s.MFAResult, s.MFAMethod = "MFA requirement satisfied by claim in the token", ""
		}
		return s
	}
	s1 := signin(at(4, 50, 17), attackerV6, AppOfficeHome, AppOfficeHome, true, 50074, in.AttackerToken)
	s1.ID, s1.FailureReason = req, "Strong Authentication is required."
	s1.Steps = []AuthStep{{Time: s1.Time, Method: "Password", MethodDetail: "Password in the cloud", Succeeded: true, ResultDetail: "Correct password", Requirement: "Primary authentication"}}
	s2 := signin(at(4, 50, 44), attackerV6, AppOfficeHome, AppOfficeHome, true, 0, in.AttackerToken)
	s2.OriginalRequestID, s2.MFAResult, s2.MFAMethod = req, "MFA successfully completed", "Mobile app verification code"
	s2.Steps = []AuthStep{
		{Time: s1.Time, Method: "Password", MethodDetail: "Password in the cloud", Succeeded: true, ResultDetail: "Correct password", Requirement: "Primary authentication"},
		{Time: s2.Time, Method: "OATH verification code", MethodDetail: "Microsoft Authenticator", Succeeded: true, ResultDetail: "MFA successfully completed", Requirement: "MFA"}}
	st.SignIns = append(st.SignIns, s1, s2)
	// 2. the stolen cookie replayed from the VPS, and the proxy's own
	// follow-up sign-ins, all in the one session: 04:51 - 05:11:43.
	replays := []struct {
		t        time.Time
		p        Place
		app, res App
		inter    bool
	}{
		{at(4, 51, 2), attackerV4, AppOfficeHome, AppExchange, false},
		{at(4, 51, 40), attackerV4, AppOfficeHome, AppSharePoint, false},
		{at(4, 52, 5), attackerV6, AppMySignins, AppMySignins, true},
		{at(4, 53, 58), attackerV6, AppDRS, App{"01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service"}, true},
		{at(4, 55, 10), attackerV4, AppAzurePortal, AppAzurePortal, true},
		{at(4, 58, 30), attackerV4, AppAzurePortal, AppGraph, false},
		{at(5, 0, 1), attackerV4, AppOfficeHome, AppExchange, false},
		{at(5, 2, 44), attackerV4, AppOfficeHome, AppExchange, false},
		{at(5, 11, 43), attackerV4, AppOfficeHome, AppSharePoint, false},
	}
	for _, x := range replays {
		s := signin(x.t, x.p, x.app, x.res, x.inter, 0, in.AttackerToken)
		if x.inter {
			s.MFAResult = "MFA requirement satisfied by claim in the token"
		}
		st.SignIns = append(st.SignIns, s)
	}
	for _, s := range st.SignIns {
		if s.Interactive {
			st.UAL = append(st.UAL, stsLogon(org, s))
		}
	}

	// 3. security info: an Authenticator registered for the attacker's phone.
	userIP := func(a *DirAudit, ip string) *DirAudit { a.IP = ip; return a }
	mfaApp := &App{"a1f2e3d4-c5b6-4a79-8e0d-1c2b3a4f5e6d", "Azure MFA StrongAuthenticationService"}
	drs := &App{"6a8b4b39-c021-437c-b060-5a14a3fd65f3", "Device Registration Service"}
	me := Target{Type: "User", ID: jo.u.ID, DisplayName: jo.u.DisplayName, UPN: jo.u.UPN}
	regCorr := g.GUID()
	phone := `[{"DeviceName":"iPhone 15","DeviceToken":"[redacted]","DeviceTag":"SoftwareTokenActivated","PhoneAppVersion":"6.7.19","OathTokenTimeDrift":0,"DeviceId":"00000000-0000-0000-0000-000000000000","Id":"` + g.GUID() + `","TimeInterval":0,"AuthenticationType":3,"NotificationType":4,"LastAuthenticatedTimestamp":"2023-12-12T04:53:09.4211532Z","AuthenticatorFlavor":null,"HashFunction":null,"TenantDeviceId":null,"SecuredPartitionId":0,"SecuredKeyId":0}]`
	st.Audits = append(st.Audits,
		userIP(g.audit(&DirAudit{CorrelationID: regCorr, Time: at(4, 52, 31).Add(671969600), Service: "Authentication Methods", Category: "UserManagement",
			Activity: "User started security info registration", OperationType: "Add", Result: "success", ResultReason: "User started the registration for Authenticator App with Notification and Code",
			ByUser: jo.u, Targets: []Target{me}}), attackerV6.IP),
		g.audit(&DirAudit{CorrelationID: regCorr, Time: at(4, 53, 9).Add(734654600), Service: "Core Directory", Category: "UserManagement",
			Activity: "Update user", OperationType: "Update", Result: "success", ByApp: mfaApp,
			Targets: []Target{{Type: "User", ID: jo.u.ID, UPN: jo.u.UPN, Props: []Prop{{"StrongAuthenticationPhoneAppDetail", "[]", phone}, {"Included Updated Properties", "", `"StrongAuthenticationPhoneAppDetail"`}}}}}),
		userIP(g.audit(&DirAudit{CorrelationID: regCorr, Time: at(4, 53, 10).Add(833639700), Service: "Core Directory", Category: "UserManagement",
			Activity: "Update user", OperationType: "Update", Result: "success", ByUser: jo.u,
			Targets: []Target{{Type: "User", ID: jo.u.ID, UPN: jo.u.UPN, Props: []Prop{{"StrongAuthenticationMethod", `[{"MethodType":6,"Default":true}]`, `[{"MethodType":6,"Default":true},{"MethodType":7,"Default":false}]`}, {"Included Updated Properties", "", `"StrongAuthenticationMethod"`}}}}}), attackerV6.IP),
		userIP(g.audit(&DirAudit{CorrelationID: regCorr, Time: at(4, 53, 10).Add(936093000), Service: "Authentication Methods", Category: "UserManagement",
			Activity: "User registered security info", OperationType: "Add", Result: "success", ResultReason: "User registered Authenticator App with Notification and Code",
			ByUser: jo.u, Targets: []Target{me}}), attackerV6.IP),
	)
	// Entra's own front end doing the session's service-side work (the talk's
	// three rows from 20.190.181.19 just before).
	for i := 0; i < 3; i++ {
		st.Audits = append(st.Audits, userIP(g.audit(&DirAudit{CorrelationID: g.GUID(), Time: at(4, 49, 40+i).Add(time.Duration(r.IntN(1e9))),
			Service: "Core Directory", Category: "UserManagement", Activity: "Update user", OperationType: "Update", Result: "success", ByUser: jo.u,
			Targets: []Target{{Type: "User", ID: jo.u.ID, UPN: jo.u.UPN, Props: []Prop{{"LastDirSyncTime", "", ""}, {"Included Updated Properties", "", `""`}}}}}), entraFrontEnd))
	}

	// 4. a device registered to the victim (Device Registration Service: no IP).
	devCorr := g.GUID()
	dev := Target{Type: "Device", ID: in.Device.ObjectID, DisplayName: in.Device.Name}
	st.Audits = append(st.Audits,
		g.audit(&DirAudit{CorrelationID: devCorr, Time: at(4, 54, 5).Add(496551000), Service: "Core Directory", Category: "Device",
			Activity: "Add registered owner to device", OperationType: "Assign", Result: "success", ByApp: drs, Targets: []Target{dev, {Type: "User", ID: jo.u.ID, UPN: jo.u.UPN}}}),
		g.audit(&DirAudit{CorrelationID: devCorr, Time: at(4, 54, 5).Add(500554900), Service: "Core Directory", Category: "Device",
			Activity: "Add registered users to device", OperationType: "Assign", Result: "success", ByApp: drs, Targets: []Target{dev, {Type: "User", ID: jo.u.ID, UPN: jo.u.UPN}}}),
		g.audit(&DirAudit{CorrelationID: devCorr, Time: at(4, 54, 5).Add(784371400), Service: "Device Registration Service", Category: "Device",
			Activity: "Register device", OperationType: "Add", Result: "success", ByApp: drs, Targets: []Target{dev},
			Details: [][2]string{{"Device Id", in.Device.ID}, {"Device OS", "Windows"}, {"Device Trust Type", "Workplace"}, {"Device Profile", "RegisteredDevice"}}}),
	)

	// 5. the app: registered with a localhost reply URL, given a secret, and
	// consented for everyone with mail scopes.
	appCorr := g.GUID()
	app := Target{Type: "Application", ID: in.AppObject, DisplayName: in.AppName}
	sp := Target{Type: "ServicePrincipal", ID: in.SPID, DisplayName: in.AppName}
	reply := `[{"AddressType":0,"Address":"http://localhost:7823/access","ReplyAddressClientType":1,"ReplyAddressIndex":null,"IsReplyAddressDefault":false}]`
	v4 := attackerV4.IP
	scope := strings.Join(in.Scopes, " ")
	grant := fmt.Sprintf(`[] => [[Id: %s, ClientId: %s, PrincipalId: , ResourceId: %s, ConsentType: AllPrincipals, Scope:  %s, CreatedDateTime: , LastModifiedDateTime ]]; `, g.tokenID()+g.tokenID()[:21], in.SPID, "b636ca69-c274-4271-8ca7-1649a6ab81ba", scope)
	add := func(t time.Time, act, cat, op string, tg []Target) {
		st.Audits = append(st.Audits, userIP(g.audit(&DirAudit{CorrelationID: appCorr, Time: t, Service: "Core Directory",
			Category: cat, Activity: act, OperationType: op, Result: "success", ByUser: jo.u, Targets: tg}), v4))
	}
	appProps := app
	appProps.Props = []Prop{{"AppAddress", "[]", reply}, {"AppId", "[]", `["` + in.AppID + `"]`}, {"AvailableToOtherTenants", "[]", "[true]"},
		{"DisplayName", "[]", `["chatbot"]`}, {"Included Updated Properties", "", "AppAddress, AppId, AvailableToOtherTenants, DisplayName"}}
	spProps := sp
	spProps.Props = []Prop{{"AccountEnabled", "[]", "[true]"}, {"AppPrincipalId", "[]", `["` + in.AppID + `"]`}, {"DisplayName", "[]", `["chatbot"]`},
		{"ServicePrincipalName", "[]", `["` + in.AppID + `"]`}, {"Included Updated Properties", "", "AccountEnabled, AppPrincipalId, DisplayName, ServicePrincipalName"}}
	secret := app
	secret.Props = []Prop{{"KeyDescription", "[]", `["[KeyIdentifier=` + g.GUID() + `,KeyType=Password,KeyUsage=Verify,DisplayName=chatbot]"]`}, {"Included Updated Properties", "", "KeyDescription"}}
	consent := sp
	consent.Props = []Prop{{"ConsentContext.IsAdminConsent", "", "True"}, {"ConsentContext.IsAppOnly", "", "False"}, {"ConsentContext.OnBehalfOfAll", "", "True"},
		{"ConsentContext.Tags", "", "WindowsAzureActiveDirectoryIntegratedApp"}, {"ConsentAction.Permissions", "", grant}}
	graphSP := Target{Type: "ServicePrincipal", ID: "b636ca69-c274-4271-8ca7-1649a6ab81ba", DisplayName: "Microsoft Graph",
		Props: []Prop{{"DelegatedPermissionGrant.Scope", "", " " + scope}, {"DelegatedPermissionGrant.ClientId", "", in.SPID}, {"DelegatedPermissionGrant.ConsentType", "", "AllPrincipals"}}}
	add(at(4, 55, 36).Add(141e6), "Add application", "ApplicationManagement", "Add", []Target{appProps})
	add(at(4, 55, 36).Add(512e6), "Add owner to application", "ApplicationManagement", "Assign", []Target{me, app})
	add(at(4, 55, 37).Add(87e6), "Add service principal", "ApplicationManagement", "Add", []Target{spProps})
	add(at(4, 55, 37).Add(390e6), "Add owner to service principal", "ApplicationManagement", "Assign", []Target{me, sp})
	add(at(4, 56, 5).Add(220e6), "Update application", "ApplicationManagement", "Update", []Target{app})
	add(at(4, 56, 5).Add(611e6), "Update application – Certificates and secrets management ", "ApplicationManagement", "Update", []Target{secret})
	add(at(5, 4, 58).Add(12e6), "Consent to application", "ApplicationManagement", "Assign", []Target{consent})
	add(at(5, 4, 58).Add(40e6), "Add delegated permission grant", "ApplicationManagement", "Assign", []Target{graphSP, sp})
	add(at(5, 4, 58).Add(63e6), "Add app role assignment grant to user", "UserManagement", "Assign", []Target{me, sp})
	upnOf := func(u *User) string { return u.UPN }
	for _, a := range st.Audits {
		if a.Service == "Core Directory" && a.IP != entraFrontEnd {
			st.UAL = append(st.UAL, aadAudit(org, a, upnOf))
		}
	}

	// 6. Exchange: the ".." rule, the invoices sent through OWA via the proxy,
	// the replies deleted, mail read, and two documents downloaded.
	port := func() int { return 10000 + r.IntN(55000) }
	owa := func(t time.Time) exchangeContext {
		return exchangeContext{IP: withPort(v4, port()), ClientInfo: "Client=OWA;Action=ViaProxy", AppID: AppExchange.ID,
			SessionID: sess, TokenID: in.AttackerToken, IssuedAt: at(4, 50, 44)}
	}
	ruleID := g.ruleID()
	st.UAL = append(st.UAL, exchangeAdmin(org, orgName, server, at(5, 0, 12), g.exchangeID(at(5, 0, 12)), "New-InboxRule", jo.u, owa(at(5, 0, 12)),
		"TYCPR01A008.JPNPRD01.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/sunnyside08.onmicrosoft.com/Johanna\\"+ruleID,
		[][2]string{{"AlwaysDeleteOutlookRulesBlob", "False"}, {"Force", "False"}, {"MoveToFolder", "Deleted Items"}, {"Name", ".."},
			{"SubjectOrBodyContainsWords", in.InvoiceSubject}, {"MarkAsRead", "True"}, {"StopProcessingRules", "False"}}))
	recipients := 23
	for i := 0; i < recipients; i++ {
		t := at(5, 3, 4).Add(time.Duration(i*11+r.IntN(9)) * time.Second)
		it := mailItem{ID: g.itemID(jo.mailbox), InternetMessageID: g.internetMessageID(t), Subject: in.InvoiceSubject, Folder: "Sent Items", Size: 48213 + r.IntN(900)}
		in.Sent = append(in.Sent, it)
		draft := it
		draft.Folder = "Drafts"
		st.UAL = append(st.UAL,
			mailboxRecord(org, orgName, server, t.Add(-3*time.Second), g.exchangeID(t), "Create", 2, jo.u, jo.mailbox, owa(t), []mailItem{draft}, ""),
			mailboxRecord(org, orgName, server, t, g.exchangeID(t), "Send", 2, jo.u, jo.mailbox, owa(t), []mailItem{it}, ""))
	}
	// replies: moved by the rule into Deleted Items, then purged by the attacker
	for i := 0; i < 6; i++ {
		t := at(5, 20+i*6, 10+r.IntN(40))
		it := mailItem{ID: g.itemID(jo.mailbox), InternetMessageID: g.internetMessageID(t), Subject: "RE: " + in.InvoiceSubject, Folder: "Deleted Items", Size: 21000 + r.IntN(9000)}
		in.DeletedReplies = append(in.DeletedReplies, it)
		st.UAL = append(st.UAL, mailboxRecord(org, orgName, server, t, g.exchangeID(t), "SoftDelete", 3, jo.u, jo.mailbox, owa(t), []mailItem{it}, "Deleted Items"))
	}
	// mail read: Bind on messages about payments
	reads := []string{"Payment schedule Q1", "Bank account change request", "Invoice 2023-1187", "Re: PO EcoGreenLand", "Wire transfer confirmation"}
	for i, subj := range reads {
		t := at(5, 6, 0).Add(time.Duration(i*47) * time.Second)
		it := mailItem{ID: g.itemID(jo.mailbox), InternetMessageID: g.internetMessageID(t.Add(-72 * time.Hour)), Subject: subj, Folder: "Inbox", Size: 30000 + r.IntN(50000)}
		in.Read = append(in.Read, it)
		st.UAL = append(st.UAL, mailItemsAccessed(org, orgName, server, t, g.exchangeID(t), jo.u, jo.mailbox, owa(t), "Bind", "Inbox", []mailItem{it}, false))
	}
	// the two documents
	for i, f := range in.Files {
		t := at(5, 12, 10).Add(time.Duration(i) * 208 * time.Second)
		st.UAL = append(st.UAL, sharePointFile(org, t, g.GUID(), "FileDownloaded", jo.u, v4, attackerUA.UserAgent, sess, AppOfficeHome.ID,
			jo.site, "Documents", f, g.GUID(), g.GUID(), g.GUID(), false))
	}

	// 7. the second victim: Alice signs in through the same proxy at 07:19.
	acorr, areq := g.GUID(), g.requestID()
	for _, x := range []struct {
		t    time.Time
		code int
	}{{time.Date(2023, 12, 12, 7, 19, 21, 0, time.UTC), 50074}, {time.Date(2023, 12, 12, 7, 19, 44, 0, time.UTC), 0}} {
		s := &SignIn{ID: g.requestID(), OriginalRequestID: areq, CorrelationID: acorr, Time: x.t, User: alice.u, App: AppOfficeHome, Resource: AppOfficeHome, Place: attackerV6,
			Client: attackerUA, ClientApp: "Browser", Interactive: true, ErrorCode: x.code, MFARequired: true, IncomingTokenType: "none",
			SessionID: in.SecondSession, TokenID: g.tokenID(), CAStatus: "notApplied", Latency: 150 + r.IntN(100)}
		if x.code != 0 {
			s.ID, s.FailureReason = areq, "Strong Authentication is required."
		} else {
			s.MFAResult, s.MFAMethod = "MFA successfully completed", "Mobile app verification code"
		}
		st.SignIns = append(st.SignIns, s)
		st.UAL = append(st.UAL, stsLogon(org, s))
	}

	// 8. the response on 2023-12-13 (16:02 JST), by Yumi from the office.
	resp := func(h, m, s int) time.Time { return time.Date(2023, 12, 13, h, m, s, 0, time.UTC) }
	office := officePlace(3).IP
	rcorr := g.GUID()
	byYumi := func(t time.Time, svc, cat, act, op string, tg []Target) {
		a := userIP(g.audit(&DirAudit{CorrelationID: rcorr, Time: t.Add(time.Duration(r.IntN(1e9))).Truncate(100 * time.Nanosecond), Service: svc, Category: cat,
			Activity: act, OperationType: op, Result: "success", ByUser: yumi.u, Targets: tg, UserAgent: edgeUA}), office)
		st.Audits = append(st.Audits, a)
		in.Response = append(in.Response, Action{Action: act, By: yumi.u.UPN, Target: tg[0].DisplayName, Time: a.Time})
		if svc == "Core Directory" {
			st.UAL = append(st.UAL, aadAudit(org, a, upnOf))
		}
	}
	in.MethodTime, in.DeviceTime, in.RuleTime = at(4, 53, 10).Add(936093000), at(4, 54, 5).Add(784371400), at(5, 0, 12)
	in.ConsentTime = at(5, 4, 58).Add(12e6)
	byYumi(resp(7, 2, 11), "Core Directory", "UserManagement", "Update StsRefreshTokenValidFrom Timestamp", "Update", []Target{me})
	byYumi(resp(7, 2, 40), "Core Directory", "UserManagement", "Reset user password", "Update", []Target{me})
	byYumi(resp(7, 5, 2), "Authentication Methods", "UserManagement", "Admin deleted security info", "Delete", []Target{me})
	disabled := sp
	disabled.Props = []Prop{{"AccountEnabled", "[true]", "[false]"}, {"Included Updated Properties", "", "AccountEnabled"}}
	byYumi(resp(7, 8, 15), "Core Directory", "ApplicationManagement", "Update service principal", "Update", []Target{disabled})
	st.Audits[len(st.Audits)-2].ResultReason = "Admin deleted Authenticator App with Notification and Code"
	yumiSess := g.GUID()
	yumiIn := &SignIn{ID: g.requestID(), CorrelationID: g.GUID(), Time: resp(7, 0, 3), User: yumi.u, App: AppAzurePortal, Resource: AppAzurePortal,
		Place: officePlace(3), Client: yumi.device, ClientApp: "Browser", Interactive: true, MFARequired: true, MFAResult: "MFA successfully completed",
		MFAMethod: "Mobile app verification code", IncomingTokenType: "primaryRefreshToken", SessionID: yumiSess, TokenID: g.tokenID(), CAStatus: "success", Latency: 88}
	yumiPS := &SignIn{ID: g.requestID(), CorrelationID: g.GUID(), Time: resp(7, 11, 30), User: yumi.u, App: AppEXOPowerShel, Resource: AppExchange,
		Place: officePlace(3), Client: Client{UserAgent: "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0", Browser: "", OS: "Windows10", DeviceID: yumi.device.DeviceID, DeviceName: yumi.device.DeviceName, Compliant: true, Managed: true, JoinType: "Microsoft Entra joined"},
		ClientApp: "Mobile Apps and Desktop clients", Interactive: true, MFARequired: true, MFAResult: "MFA requirement satisfied by claim in the token",
		IncomingTokenType: "primaryRefreshToken", SessionID: yumiSess, TokenID: g.tokenID(), CAStatus: "success", Latency: 140}
	st.SignIns = append(st.SignIns, yumiIn, yumiPS)
	st.UAL = append(st.UAL, stsLogon(org, yumiIn), stsLogon(org, yumiPS))
	in.Response = append(in.Response, Action{Action: "Remove-InboxRule", By: yumi.u.UPN, Target: "..", Time: resp(7, 12, 40)})
	st.UAL = append(st.UAL, exchangeAdmin(org, orgName, server, resp(7, 12, 40), g.exchangeID(resp(7, 12, 40)), "Remove-InboxRule", yumi.u,
		exchangeContext{IP: withPort(office, port()), AppID: AppEXOPowerShel.ID, ClientAppID: AppEXOPowerShel.ID, TokenID: yumiPS.TokenID, IssuedAt: yumiPS.Time},
		"TYCPR01A008.JPNPRD01.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/sunnyside08.onmicrosoft.com/Johanna\\"+ruleID,
		[][2]string{{"AlwaysDeleteOutlookRulesBlob", "False"}, {"Force", "False"}, {"Identity", "Johanna\\" + ruleID}, {"Confirm", "False"}}))
	return st
}
