package bundle

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// auditLogRecordTypes are the documented members of Graph's
// microsoft.graph.security.auditLogRecordType (Microsoft Learn,
// microsoftgraph/microsoft-graph-docs-contrib
// api-reference/v1.0/resources/security-auditlogrecordtype.md at commit
// 54e6784c535cbbc171770ac98a630e53843249cc; unknownFutureValue, the
// evolvable-enum sentinel, left out).
const auditLogRecordTypes = `
ExchangeAdmin ExchangeItem ExchangeItemGroup SharePoint SyntheticProbe
SharePointFileOperation OneDrive AzureActiveDirectory AzureActiveDirectoryAccountLogon
DataCenterSecurityCmdlet ComplianceDLPSharePoint Sway ComplianceDLPExchange
SharePointSharingOperation AzureActiveDirectoryStsLogon SkypeForBusinessPSTNUsage
SkypeForBusinessUsersBlocked SecurityComplianceCenterEOPCmdlet ExchangeAggregatedOperation
PowerBIAudit CRM Yammer SkypeForBusinessCmdlets Discovery MicrosoftTeams ThreatIntelligence
MailSubmission MicrosoftFlow AeD MicrosoftStream ComplianceDLPSharePointClassification
ThreatFinder Project SharePointListOperation SharePointCommentOperation DataGovernance
Kaizala SecurityComplianceAlerts ThreatIntelligenceUrl SecurityComplianceInsights MIPLabel
WorkplaceAnalytics PowerAppsApp PowerAppsPlan ThreatIntelligenceAtpContent
LabelContentExplorer TeamsHealthcare ExchangeItemAggregated HygieneEvent
DataInsightsRestApiAudit InformationBarrierPolicyApplication SharePointListItemOperation
SharePointContentTypeOperation SharePointFieldOperation MicrosoftTeamsAdmin HRSignal
MicrosoftTeamsDevice MicrosoftTeamsAnalytics InformationWorkerProtection Campaign
DLPEndpoint AirInvestigation Quarantine MicrosoftForms ApplicationAudit
ComplianceSupervisionExchange CustomerKeyServiceEncryption OfficeNative
MipAutoLabelSharePointItem MipAutoLabelSharePointPolicyLocation MicrosoftTeamsShifts
SecureScore MipAutoLabelExchangeItem CortanaBriefing Search WDATPAlerts
PowerPlatformAdminDlp PowerPlatformAdminEnvironment MDATPAudit SensitivityLabelPolicyMatch
SensitivityLabelAction SensitivityLabeledFileAction AttackSim AirManualInvestigation
SecurityComplianceRBAC UserTraining AirAdminActionInvestigation MSTIC PhysicalBadgingSignal
TeamsEasyApprovals AipDiscover AipSensitivityLabelAction AipProtectionAction AipFileDeleted
AipHeartBeat MCASAlerts OnPremisesFileShareScannerDlp OnPremisesSharePointScannerDlp
ExchangeSearch SharePointSearch PrivacyDataMinimization LabelAnalyticsAggregate
MyAnalyticsSettings SecurityComplianceUserChange ComplianceDLPExchangeClassification
ComplianceDLPEndpoint MipExactDataMatch MSDEResponseActions MSDEGeneralSettings
MSDEIndicatorsSettings MS365DCustomDetection MSDERolesSettings MAPGAlerts MAPGPolicy
MAPGRemediation PrivacyRemediationAction PrivacyDigestEmail MipAutoLabelSimulationProgress
MipAutoLabelSimulationCompletion MipAutoLabelProgressFeedback DlpSensitiveInformationType
MipAutoLabelSimulationStatistics LargeContentMetadata Microsoft365Group
CDPMlInferencingResult FilteringMailMetadata CDPClassificationMailItem
CDPClassificationDocument OfficeScriptsRunAction FilteringPostMailDeliveryAction
CDPUnifiedFeedback TenantAllowBlockList ConsumptionResource HealthcareSignal DlpImportResult
CDPCompliancePolicyExecution MultiStageDisposition PrivacyDataMatch FilteringDocMetadata
FilteringEmailFeatures PowerBIDlp FilteringUrlInfo FilteringAttachmentInfo
CoreReportingSettings ComplianceConnector PowerPlatformLockboxResourceAccessRequest
PowerPlatformLockboxResourceCommand CDPPredictiveCodingLabel CDPCompliancePolicyUserFeedback
WebpageActivityEndpoint OMEPortal CMImprovementActionChange FilteringUrlClick
MipLabelAnalyticsAuditRecord FilteringEntityEvent FilteringRuleHits FilteringMailSubmission
LabelExplorer MicrosoftManagedServicePlatform PowerPlatformServiceActivity
ScorePlatformGenericAuditRecord FilteringTimeTravelDocMetadata Alert AlertStatus
AlertIncident IncidentStatus Case CaseInvestigation RecordsManagement PrivacyRemediation
DataShareOperation CdpDlpSensitive EHRConnector FilteringMailGradingResult PublicFolder
PrivacyTenantAuditHistoryRecord AipScannerDiscoverEvent EduDataLakeDownloadOperation
M365ComplianceConnector MicrosoftGraphDataConnectOperation MicrosoftPurview
FilteringEmailContentFeatures PowerPagesSite PowerAppsResource PlannerPlan PlannerCopyPlan
PlannerTask PlannerRoster PlannerPlanList PlannerTaskList PlannerTenantSettings
ProjectForTheWebProject ProjectForTheWebTask ProjectForTheWebRoadmap
ProjectForTheWebRoadmapItem ProjectForTheWebProjectSettings ProjectForTheWebRoadmapSettings
QuarantineMetadata MicrosoftTodoAudit TimeTravelFilteringDocMetadata TeamsQuarantineMetadata
SharePointAppPermissionOperation MicrosoftTeamsSensitivityLabelAction FilteringTeamsMetadata
FilteringTeamsUrlInfo FilteringTeamsPostDeliveryAction MDCAssessments
MDCRegulatoryComplianceStandards MDCRegulatoryComplianceControls
MDCRegulatoryComplianceAssessments MDCSecurityConnectors MDADataSecuritySignal VivaGoals
FilteringRuntimeInfo AttackSimAdmin MicrosoftGraphDataConnectConsent
FilteringAtpDetonationInfo PrivacyPortal ManagedTenants UnifiedSimulationMatchedItem
UnifiedSimulationSummary UpdateQuarantineMetadata MS365DSuppressionRule
PurviewDataMapOperation FilteringUrlPostClickAction IrmUserDefinedDetectionSignal
TeamsUpdates PlannerRosterSensitivityLabel MS365DIncident FilteringDelistingMetadata
ComplianceDLPSharePointClassificationExtended MicrosoftDefenderForIdentityAudit
SupervisoryReviewDayXInsight DefenderExpertsforXDRAdmin CDPEdgeBlockedMessage HostedRpa
CdpContentExplorerAggregateRecord CDPHygieneAttachmentInfo CDPHygieneSummary
CDPPostMailDeliveryAction CDPEmailFeatures CDPHygieneUrlInfo CDPUrlClick
CDPPackageManagerHygieneEvent FilteringDocScan TimeTravelFilteringDocScan MAPGOnboard
AlertSubmission AlertSubmissionResultDetail ComplianceSitGradingSharePoint
CompliancePolicyGradingSharePoint AzureAISearchAudit P4AIRiskScoreRecord DragonCopilotAdmin
AISpanOutputs EopSubmissionFeedEntity SonarFileDetonationEntity SonarSubmissionEntity
SonarUrlDetonationEntity SubmissionEntity SonarDetonationEntity MicrosoftTeamsUserConcern
VivaGlintAgenticCampaign MSPVectorSearchContentMetadata FabricPolicy
SecurityCopilotAgentIdentityManagement CopilotSessionSharing DragonCopilotAccess
DragonCopilotClinicalData DragonCopilotSession MosAgentInfoRecordV2
SecurityDevelopmentLifecycleAILog MDASH DefenderSecurityForAIConfiguration
SparkCoreCustomLivePool
`

// RecordTypeNeed is a unified audit log record type hunt reads, and why.
type RecordTypeNeed struct {
	Type, Why string
}

// RecordTypeNeeds are the record types the audit log query asks for by
// default: those hunt's detections and correlation read (hunt.md).
var RecordTypeNeeds = []RecordTypeNeed{
	{"exchangeAdmin", "inbox rules, mailbox forwarding, audit switched off (New-/Set-InboxRule, Set-Mailbox, Set-AdminAuditLogConfig: TG.HUNT.8, 9, 15) and their removal"},
	{"exchangeItem", "mail sent, deleted and read (Send, SoftDelete, MailItemsAccessed: TG.HUNT.10-12), UpdateInboxRules (TG.HUNT.8), OWA through a proxy (TG.HUNT.14)"},
	{"exchangeItemGroup", "deletes and moves of several messages at once (TG.HUNT.11)"},
	{"exchangeItemAggregated", "MailItemsAccessed as aggregated records (RecordType 50: TG.HUNT.12)"},
	{"sharePoint", "SharePoint activity, in the users' timelines"},
	{"sharePointFileOperation", "files downloaded and accessed (FileDownloaded, FileAccessed: TG.HUNT.13)"},
	{"sharePointSharingOperation", "sharing links and invitations, in the users' timelines"},
	{"oneDrive", "OneDrive files downloaded and synced (TG.HUNT.13)"},
	{"azureActiveDirectory", "security info, devices, applications and consents as the UAL records them (TG.HUNT.4-7), and the containment already done"},
	{"azureActiveDirectoryStsLogon", "UserLoggedIn with the session id that ties mailbox and file activity to the attacker's sign-in (TG.HUNT.1, 2, attribution)"},
	{"securityComplianceCenterEOPCmdlet", "changes to unified audit log retention policies (TG.HUNT.15)"},
}

// DefaultRecordTypes are RecordTypeNeeds' types.
func DefaultRecordTypes() []string {
	out := make([]string, len(RecordTypeNeeds))
	for i, n := range RecordTypeNeeds {
		out[i] = n.Type
	}
	return out
}

// RecordType returns the wire form of a documented auditLogRecordType
// given in any case (exchangeadmin, ExchangeAdmin): the member in lower
// camel case, as Graph writes auditLogRecordType on the records it returns
// ("exchangeAdmin", "azureActiveDirectory" in the captures under
// internal/hunt/testdata/real) and OData lower-cases a leading acronym
// ("CRM" -> "crm", "MIPLabel" -> "mipLabel"). An undocumented value is an
// error.
func RecordType(v string) (string, error) {
	v = strings.TrimSpace(v)
	i := slices.IndexFunc(strings.Fields(auditLogRecordTypes), func(m string) bool { return strings.EqualFold(m, v) })
	if i < 0 {
		return "", fmt.Errorf("%q is not a documented auditLogRecordType (e.g. exchangeAdmin, exchangeItem, microsoftTeams)", v)
	}
	return lowerCamel(strings.Fields(auditLogRecordTypes)[i]), nil
}

// lowerCamel lower-cases a name's leading capitals, leaving the last one of
// a run followed by a lower-case letter ("MIPLabel" -> "mipLabel").
func lowerCamel(s string) string {
	r := []rune(s)
	for i := range r {
		if !unicode.IsUpper(r[i]) {
			break
		}
		if i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) {
			break
		}
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}
