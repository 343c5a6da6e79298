package tenantgate.controls.tg_app_3_test

import data.tenantgate.controls.tg_app_3 as c
import data.tenantgate.test.fixtures as f

reviewer_user := {"query": "/v1.0/users/bbcfc3c5-0b93-4135-9ef9-18477a9fb504", "queryType": "MicrosoftGraph", "queryRoot": null}

reviewer_group := {"query": "/v1.0/groups/3a1c2f0e-0000-0000-0000-000000000000/transitiveMembers/microsoft.graph.user", "queryType": "MicrosoftGraph", "queryRoot": null}

with_policy(p) := f.with_data({"adminConsentRequestPolicy": object.union(
	{"isEnabled": true, "notifyReviewers": true, "remindersEnabled": true, "requestDurationInDays": 30, "version": 2, "reviewers": [reviewer_user, reviewer_group]},
	p,
)})

test_pass_enabled_with_reviewers if {
	r := c.result with input as with_policy({})
	r.status == "pass"
	contains(r.finding, "on with 2 reviewer scope(s)")
	r.evidence == ["adminConsentRequestPolicy"]
}

test_fail_disabled if {
	r := c.result with input as with_policy({"isEnabled": false, "reviewers": []})
	r.status == "fail"
	contains(r.finding, "turned off (adminConsentRequestPolicy.isEnabled = false)")
}

test_fail_disabled_even_with_reviewers if {
	r := c.result with input as with_policy({"isEnabled": false})
	r.status == "fail"
	contains(r.finding, "turned off")
}

test_fail_enabled_without_reviewers if {
	r := c.result with input as with_policy({"reviewers": []})
	r.status == "fail"
	contains(r.finding, "has no reviewers")
}

test_fail_enabled_with_null_reviewers if {
	r := c.result with input as with_policy({"reviewers": null})
	r.status == "fail"
	contains(r.finding, "has no reviewers")
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_policy({}), "adminConsentRequestPolicy")
	r.status == "not_assessed"
	contains(r.finding, "adminConsentRequestPolicy was not collected (denied")
}

test_not_assessed_when_is_enabled_missing if {
	r := c.result with input as f.with_data({"adminConsentRequestPolicy": {"reviewers": [reviewer_user]}})
	r.status == "not_assessed"
	contains(r.finding, "no isEnabled value")
}

test_fail_enabled_without_reviewers_key if {
	r := c.result with input as f.with_data({"adminConsentRequestPolicy": {"isEnabled": true}})
	r.status == "fail"
	contains(r.finding, "has no reviewers")
}

# A reviewer entry without a query names nobody.
test_fail_reviewer_without_query if {
	r := c.result with input as with_policy({"reviewers": [{}, {"query": "", "queryType": "MicrosoftGraph"}]})
	r.status == "fail"
	contains(r.finding, "has no reviewers")
}
