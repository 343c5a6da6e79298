package tenantgate.hunt.lib_test

import data.tenantgate.hunt.lib
import data.tenantgate.hunt.test as t

test_browser_user_agents if {
	lib.browser_ua(t.edge)
	lib.browser_ua(t.ff)
	lib.browser_ua(t.safari)
	not lib.browser_ua("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)")
	not lib.browser_ua("python-requests/2.31.0")
}

test_powershell_is_no_browser if {
	not lib.browser_ua("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0")
	not lib.browser_ua("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3803")
	not lib.is_browser({"clientApp": "", "ua": "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0"})
}

test_count_text if {
	lib.count_text(1, "message", "messages") == "1 message"
	lib.count_text(0, "message", "messages") == "0 messages"
	lib.count_text(6, "message", "messages") == "6 messages"
}

test_one_folder_synchronised if {
	ev := object.union(t.ual, {"op": "MailItemsAccessed", "opk": "mailitemsaccessed", "rt": 50, "attacker": true, "detail": {"mailAccess": "Sync", "folders": ["\\Inbox"]}})
	[f] := [f | some f in data.tenantgate.hunt.detections.tg_hunt_12.findings with input as t.with_events([ev])]
	contains(f.summary, ": folder \\Inbox synchronised")
}
