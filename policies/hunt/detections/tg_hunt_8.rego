# METADATA
# title: Mailbox rule that hides or steals mail
# description: >-
#   An inbox rule that moves mail to Deleted Items, Junk Email, RSS Feeds,
#   RSS Subscriptions, Conversation History or Archive (or their Japanese
#   mailbox names: 削除済みアイテム, 迷惑メール, ...), marks it as read,
#   deletes it, or forwards or redirects it; or whose name is only
#   punctuation ("..", ".") or at most three characters. In the talk, a rule
#   named ".." moved the replies to the attacker's spam to Deleted Items so
#   the victim would not notice. Read from New-InboxRule / Set-InboxRule
#   (RecordType 1), UpdateInboxRules (RecordType 2, Outlook) and from inbox
#   rule exports (Get-InboxRule, Graph messageRules).
# custom:
#   id: TG.HUNT.8
#   order: 8
#   severity: high
#   technique: "T1564.008 Hide Artifacts: Email Hiding Rules; T1114.003 Email Forwarding Rule"
#   seed: "攻撃の痕跡④ 侵害痕跡の削除 (InboxRule の作成)"
#   response: >-
#     Ask the user, then remove the rule (Remove-InboxRule -Mailbox <upn>
#     -Identity <rule>); restore the mail it moved or deleted.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [new-inboxrule, set-inboxrule]
#       record_types: [1]
#     - kinds: [unifiedAuditLog]
#       operations: [updateinboxrules]
#       record_types: [2]
#     - kinds: [inboxRules]
#       operations: [inboxrule]
package tenantgate.hunt.detections.tg_hunt_8

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

# The folders a hiding rule moves mail to (hunt.md TG.HUNT.8), compared
# without spaces and case, under their English names and the names a
# Japanese mailbox gives them (Outlook ja-JP: 削除済みアイテム, 迷惑メール,
# RSS フィード, RSS サブスクリプション, 会話の履歴, アーカイブ): a rule made in a
# Japanese Outlook on the web names the folder as the user sees it.
hiding_folders := {
	"deleteditems", "junkemail", "rssfeeds", "rsssubscriptions", "conversationhistory", "archive",
	"削除済みアイテム", "迷惑メール", "rssフィード", "rssサブスクリプション", "会話の履歴", "アーカイブ",
}

# rule_name: New-InboxRule's Name, UpdateInboxRules' RuleName, or for
# Set-InboxRule the Identity's last part.
rule_name(ev) := lib.first(
	array.concat(
		[n | some p in ["Name", "RuleName"]; n := lib.param(ev, p)],
		[n | id := lib.param(ev, "Identity"); parts := split(id, "\\"); n := parts[count(parts) - 1]],
	),
	"",
)

# The last element of a folder path ("sunnyside08...\Johanna\Deleted Items").
folder_name(v) := regex.replace(lower(parts[count(parts) - 1]), `\s+`, "") if parts := regex.split(`[\\/]`, v)

reasons(ev) := {r |
	some p in ["MoveToFolder", "CopyToFolder"]
	f := folder_name(lib.param(ev, p))
	f in hiding_folders
	r := sprintf("moves mail to %s", [lib.param(ev, p)])
} | {"marks mail as read" |
	lib.truthy(lib.param(ev, "MarkAsRead"))
} | {"deletes mail" |
	some p in ["DeleteMessage", "SoftDeleteMessage", "PermanentDelete"]
	lib.truthy(lib.param(ev, p))
} | {r |
	some p in ["ForwardTo", "RedirectTo", "ForwardAsAttachmentTo"]
	lib.has_param(ev, p)
	r := sprintf("%s %s", [lower(p), lib.param(ev, p)])
} | {r |
	# UpdateInboxRules (Outlook) describes the actions in RuleActions.
	a := lower(lib.param(ev, "RuleActions"))
	some kw, r in {
		"deleteditems": "moves mail to Deleted Items",
		"deleted items": "moves mail to Deleted Items",
		"junk": "moves mail to Junk Email",
		"rss": "moves mail to an RSS folder",
		"conversation history": "moves mail to Conversation History",
		"archive": "moves mail to Archive",
		"markasread": "marks mail as read",
		"delete": "deletes mail",
		"forward": "forwards mail",
		"redirect": "redirects mail",
	}
	contains(a, kw)
} | {r |
	n := rule_name(ev)
	suspicious_name(n)
	r := sprintf("is named %q", [n])
}

# A name that says nothing: only punctuation, or three characters or fewer.
suspicious_name(n) if {
	n != ""
	regex.match(`^[\p{P}\p{S}\s]+$`, n)
}

suspicious_name(n) if {
	n != ""
	count(trim_space(n)) <= 3
}

findings contains f if {
	some ev in input.events
	ev.opk in ops
	rs := reasons(ev)
	count(rs) > 0
	n := rule_name(ev)
	f := lib.finding(ev, "high", sprintf("%s rule %q for %s%s: %s", [what(ev), n, lib.who(ev), lib.from(ev), concat("; ", sort(rs))]), ev.i, "no", {
		"rule": n,
		"parameters": lib.detail(ev, "params", {}),
		"words": sort(words(ev)),
		"state": ev.opk == "inboxrule",
		"identity": identity(ev),
	})
}

# identity: the rule's Exchange identity ("Johanna\7966173683571268250"),
# the last part of the record's ObjectId, which Remove-InboxRule and
# Disable-InboxRule name in -Identity.
identity(ev) := lib.first(
	array.concat(
		[x | some x in regex.find_n(`[^/]+$`, lib.detail(ev, "objectId", ""), 1); contains(x, "\\")],
		[x | x := lib.param(ev, "Identity")],
	),
	"",
)

what(ev) := "inbox rule export:" if ev.opk == "inboxrule"

else := ev.op

words(ev) := {w |
	some p in ["SubjectContainsWords", "SubjectOrBodyContainsWords", "BodyContainsWords"]
	some w in lib.words(lib.param(ev, p))
}
