package tenantgate.hunt.detections.tg_hunt_8_test

import data.tenantgate.hunt.detections.tg_hunt_8 as d
import data.tenantgate.hunt.test as t

rule(params) := t.replace(t.ual, {"detail": {"params": params}})

# The talk's rule: replies to the attacker's spam moved to Deleted Items.
talk := {"MoveToFolder": "Deleted Items", "Name": "..", "SubjectOrBodyContainsWords": "Re: REVISED INVOICE", "MarkAsRead": "True", "StopProcessingRules": "False"}

got(ev) := [f.summary | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "the talk's rule", "ev": rule(talk), "want": `New-InboxRule rule ".." for johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: is named ".."; marks mail as read; moves mail to Deleted Items`},
	{"name": "moves to Junk Email, path form", "ev": rule({"Name": "Newsletters", "MoveToFolder": "sunnyside08.onmicrosoft.com\\Johanna\\Junk Email"}), "want": `New-InboxRule rule "Newsletters" for johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: moves mail to sunnyside08.onmicrosoft.com\Johanna\Junk Email`},
	{"name": "RSS Feeds", "ev": rule({"Name": "Feeds rule", "MoveToFolder": "RSS Feeds"}), "want": "moves mail to RSS Feeds"},
	{"name": "RSS Subscriptions", "ev": rule({"Name": "Feeds rule", "MoveToFolder": "rss subscriptions"}), "want": "moves mail to rss subscriptions"},
	{"name": "Conversation History", "ev": rule({"Name": "History", "MoveToFolder": "Conversation History"}), "want": "moves mail to Conversation History"},
	{"name": "Archive", "ev": rule({"Name": "Archive it", "MoveToFolder": "Archive"}), "want": "moves mail to Archive"},
	{"name": "Deleted Items of a Japanese mailbox", "ev": rule({"Name": "請求書", "MoveToFolder": "削除済みアイテム"}), "want": `New-InboxRule rule "請求書" for johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: is named "請求書"; moves mail to 削除済みアイテム`},
	{"name": "RSS Feeds of a Japanese mailbox, path form", "ev": rule({"Name": "Newsletters", "MoveToFolder": ":\\RSS フィード"}), "want": `New-InboxRule rule "Newsletters" for johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: moves mail to :\RSS フィード`},
	{"name": "Conversation History, other spacing and case", "ev": rule({"Name": "Newsletters", "MoveToFolder": "conversation  History"}), "want": `New-InboxRule rule "Newsletters" for johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: moves mail to conversation  History`},
	{"name": "a Japanese project folder", "ev": rule({"Name": "プロジェクトA", "MoveToFolder": "プロジェクトA"}), "want": null},
	{"name": "a project folder", "ev": rule({"Name": "ProjectA-MoveToFolderA", "MoveToFolder": "ProjectA"}), "want": null},
	{"name": "deletes", "ev": rule({"Name": "Cleanup", "DeleteMessage": "True"}), "want": "deletes mail"},
	{"name": "copies to Junk Email", "ev": rule({"Name": "Newsletters", "CopyToFolder": "Junk Email"}), "want": "moves mail to Junk Email"},
	{"name": "soft-deletes", "ev": rule({"Name": "Cleanup", "SoftDeleteMessage": "True"}), "want": "deletes mail"},
	{"name": "delete false", "ev": rule({"Name": "Cleanup", "DeleteMessage": "False"}), "want": null},
	{"name": "forwards", "ev": rule({"Name": "Copy", "ForwardTo": "x@evil.example"}), "want": "forwardto x@evil.example"},
	{"name": "redirects", "ev": rule({"Name": "Copy", "RedirectTo": "x@evil.example"}), "want": "redirectto x@evil.example"},
	{"name": "forward as attachment", "ev": rule({"Name": "Copy", "ForwardAsAttachmentTo": "x@evil.example"}), "want": "forwardasattachmentto x@evil.example"},
	{"name": "forward to $null", "ev": rule({"Name": "Copy", "ForwardTo": "$null"}), "want": null},
	{"name": "name only punctuation", "ev": rule({"Name": ".", "MoveToFolder": "Inbox"}), "want": `is named "."`},
	{"name": "name of punctuation and spaces", "ev": rule({"Name": "- . -", "MoveToFolder": "Inbox"}), "want": `is named "- . -"`},
	{"name": "name of three characters", "ev": rule({"Name": "abc", "MoveToFolder": "Inbox"}), "want": `is named "abc"`},
	{"name": "name of four characters", "ev": rule({"Name": "abcd", "MoveToFolder": "Inbox"}), "want": null},
	{"name": "Set-InboxRule names the rule by Identity", "ev": t.replace(t.ual, {"op": "Set-InboxRule", "opk": "set-inboxrule", "detail": {"params": {"Identity": "Johanna\\..", "MarkAsRead": "True"}}}), "want": `Set-InboxRule rule ".."`},
	{"name": "UpdateInboxRules from Outlook", "ev": t.replace(t.ual, {"op": "UpdateInboxRules", "opk": "updateinboxrules", "rt": 2, "detail": {"params": {"RuleName": "x", "RuleActions": "[{\"ActionType\":\"MoveToFolder\",\"Folder\":\"Deleted Items\"}]", "RuleOperation": "AddMailboxRule"}}}), "want": "moves mail to Deleted Items"},
	{"name": "inbox rule export", "ev": t.replace(t.ual, {"kind": "inboxRules", "op": "InboxRule", "opk": "inboxrule", "t": 0, "time": "", "ip": "", "detail": {"params": talk}}), "want": `inbox rule export: rule ".." for johanna@sunnyside08.onmicrosoft.com: is named`},
	{"name": "Remove-InboxRule is containment, not a rule", "ev": t.replace(rule(talk), {"opk": "remove-inboxrule"}), "want": null},
]

ok(c) if {
	c.want == null
	got(c.ev) == []
}

ok(c) if {
	[s] := got(c.ev)
	contains(s, c.want)
}

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; not ok(c)]
	print(failures)
	failures == []
}

test_facts if {
	[f] := [f | some f in d.findings with input as t.with_events([rule(talk)])]
	f.severity == "high"
	f.facts.rule == ".."
	f.facts.parameters == talk
	f.facts.words == ["Re: REVISED INVOICE"]
	f.facts.state == false
	f.facts.identity == ""
	[h] := [f | some f in d.findings with input as t.with_events([t.replace(t.ual, {"detail": {"objectId": "TYCPR01A008.JPNPRD01.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/sunnyside08.onmicrosoft.com/Johanna\\7966173683571268250", "params": talk}})])]
	h.facts.identity == "Johanna\\7966173683571268250"
	[g] := [f | some f in d.findings with input as t.with_events([rule({"Name": "..", "SubjectContainsWords": "[invoice, payment]", "BodyContainsWords": "wire;transfer"})])]
	g.facts.words == ["invoice", "payment", "transfer", "wire"]
}
